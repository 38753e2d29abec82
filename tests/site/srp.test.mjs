// Checks site/js/srp.js against vectors from the independent Python reference
// (tests/site/srp_reference.py), which also verifies each vector by playing
// the SRP server side.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import * as srp from "../../site/js/srp.js";

const here = dirname(fileURLToPath(import.meta.url));
const fixturePath = join(here, "fixtures", "srp_vectors.json");
const fixture = JSON.parse(readFileSync(fixturePath, "utf8"));

test("N, g and k match the reference and the well-known Cognito constant", async () => {
  assert.equal(srp.bigToHex(srp.N), fixture.N);
  assert.equal(srp.g, BigInt(fixture.g));
  const k = await srp.getK();
  assert.equal(srp.bigToHex(k), fixture.kHex);
  assert.equal(srp.bigToHex(k), "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6");
});

test("padHex follows Cognito's signed-byte padding", () => {
  assert.equal(srp.padHex(0x1n), "01");
  assert.equal(srp.padHex(0xabcn), "0abc");
  assert.equal(srp.padHex(0x7fn), "7f");
  assert.equal(srp.padHex(0x80n), "0080");
  assert.equal(srp.padHex("ABCD"), "00abcd");
  assert.equal(srp.padHex("abc"), "0abc");
});

test("timestamp format: English names, UTC, unpadded day", () => {
  assert.equal(srp.formatTimestamp(new Date("2024-03-05T07:08:09Z")), "Tue Mar 5 07:08:09 UTC 2024");
  assert.equal(srp.formatTimestamp(new Date("2023-12-31T23:59:59Z")), "Sun Dec 31 23:59:59 UTC 2023");
  // Local time zone must not leak in: 23:30 UTC is still the same UTC day.
  assert.equal(srp.formatTimestamp(new Date(Date.UTC(2025, 0, 1, 23, 30, 0))), "Wed Jan 1 23:30:00 UTC 2025");
});

for (const v of fixture.vectors) {
  test(`vector ${v.name}: A, u, x, S, HKDF and signature match the reference`, async () => {
    const randomBytes = (n) => {
      assert.equal(n, 128);
      return srp.hexToBytes(v.randomAHex);
    };
    const { a, A } = srp.generateA(randomBytes);
    assert.equal(srp.bigToHex(a), v.smallAHex);
    assert.equal(srp.bigToHex(A), v.srpAHex);

    const poolName = srp.poolNameOf(v.poolId);
    const derived = await srp.passwordAuthenticationKey({
      poolName,
      userIdForSrp: v.userIdForSrp,
      password: v.password,
      a,
      A,
      B: srp.hexToBig(v.srpBHex),
      saltHex: v.saltHex,
    });
    assert.equal(srp.bigToHex(derived.u), v.uHex);
    assert.equal(srp.bigToHex(derived.x), v.xHex);
    assert.equal(srp.bigToHex(derived.S), v.sHex);
    assert.equal(srp.bytesToHex(derived.key), v.hkdfHex);

    const responses = await srp.passwordVerifierResponses({
      poolId: v.poolId,
      password: v.password,
      params: {
        USER_ID_FOR_SRP: v.userIdForSrp,
        SRP_B: v.srpBHex,
        SALT: v.saltHex,
        SECRET_BLOCK: v.secretBlock,
        USERNAME: v.userIdForSrp,
      },
      a,
      A,
      now: new Date(v.nowIso),
    });
    assert.deepEqual(responses, {
      USERNAME: v.userIdForSrp,
      PASSWORD_CLAIM_SECRET_BLOCK: v.secretBlock,
      PASSWORD_CLAIM_SIGNATURE: v.signature,
      TIMESTAMP: v.timestamp,
    });
  });
}

test("a wrong password gives a different signature", async () => {
  const v = fixture.vectors[0];
  const { a, A } = srp.generateA(() => srp.hexToBytes(v.randomAHex));
  const responses = await srp.passwordVerifierResponses({
    poolId: v.poolId,
    password: v.password + "x",
    params: { USER_ID_FOR_SRP: v.userIdForSrp, SRP_B: v.srpBHex, SALT: v.saltHex, SECRET_BLOCK: v.secretBlock },
    a,
    A,
    now: new Date(v.nowIso),
  });
  assert.notEqual(responses.PASSWORD_CLAIM_SIGNATURE, v.signature);
});

test("JS client and a JS-simulated server agree on S with real randomness", async () => {
  const poolName = "TestPool";
  const user = "someone";
  const password = "hunter2-Long";
  const saltHex = srp.bytesToHex(srp.defaultRandomBytes(16));
  const x = await srp.calculateX(poolName, user, password, saltHex);
  const k = await srp.getK();
  const v = srp.modPow(srp.g, x, srp.N);
  const b = srp.smallAFromBytes(srp.defaultRandomBytes(128));
  const B = (k * v + srp.modPow(srp.g, b, srp.N)) % srp.N;
  const { a, A } = srp.generateA();
  const { u, S } = await srp.passwordAuthenticationKey({ poolName, userIdForSrp: user, password, a, A, B, saltHex });
  const serverS = srp.modPow(A * srp.modPow(v, u, srp.N), b, srp.N);
  assert.equal(S, serverS);
});

test("rejects a server B that is 0 mod N", async () => {
  await assert.rejects(
    srp.passwordAuthenticationKey({ poolName: "p", userIdForSrp: "u", password: "x", a: 5n, A: 32n, B: srp.N, saltHex: "01" }),
    /SRP_B/,
  );
});

// Keeps the committed fixture honest: regenerate it and compare.
const python = [join(here, "..", "..", ".venv", "bin", "python"), "/usr/bin/python3"].find((p) => existsSync(p));
test("committed vectors are what srp_reference.py produces", { skip: !python && "no python found" }, () => {
  const out = execFileSync(python, [join(here, "srp_reference.py")], { encoding: "utf8" });
  assert.deepEqual(JSON.parse(out), fixture);
});
