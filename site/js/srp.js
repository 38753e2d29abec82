// Client side of Cognito's USER_SRP_AUTH (SRP-6a as implemented by
// amazon-cognito-identity-js). Pure functions over BigInt + WebCrypto so the
// maths can be checked in Node against tests/site/srp_reference.py.
// Randomness and the clock are parameters for the same reason.

const N_HEX =
  "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74" +
  "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437" +
  "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
  "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05" +
  "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB" +
  "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
  "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718" +
  "3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33" +
  "A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
  "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864" +
  "D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2" +
  "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF";

export const N = BigInt("0x" + N_HEX);
export const g = 2n;
const INFO = new TextEncoder().encode("Caldera Derived Key");
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const utf8 = new TextEncoder();

function subtle() {
  const s = globalThis.crypto && globalThis.crypto.subtle;
  // crypto.subtle only exists in secure contexts (https or localhost).
  if (!s) throw new Error("Secure sign-in needs a secure connection (https).");
  return s;
}

export function bigToHex(n) {
  return n.toString(16);
}

export function hexToBig(hex) {
  return BigInt("0x" + (hex || "0"));
}

// Cognito hashes integers as signed big-endian bytes, so a value whose top bit
// is set gets an extra 00 byte; odd-length hex just gets a leading 0.
export function padHex(value) {
  const hex = typeof value === "bigint" ? bigToHex(value) : String(value).toLowerCase();
  if (hex.length % 2 === 1) return "0" + hex;
  return "89abcdef".includes(hex[0]) ? "00" + hex : hex;
}

export function hexToBytes(hex) {
  if (hex.length % 2) throw new Error("odd-length hex");
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

export function bytesToHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function base64ToBytes(b64) {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function bytesToBase64(bytes) {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function modPow(base, exp, mod) {
  let result = 1n;
  let b = ((base % mod) + mod) % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

export async function sha256(bytes) {
  return new Uint8Array(await subtle().digest("SHA-256", bytes));
}

export async function hexHash(hex) {
  return bytesToHex(await sha256(hexToBytes(hex)));
}

export async function hmacSha256(keyBytes, data) {
  const key = await subtle().importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await subtle().sign("HMAC", key, data));
}

let kPromise;
export function getK() {
  kPromise ??= hexHash(padHex(N) + padHex(g)).then(hexToBig);
  return kPromise;
}

// a is 128 random bytes reduced mod N, as in the reference clients.
export function smallAFromBytes(bytes) {
  return hexToBig(bytesToHex(bytes)) % N;
}

export function defaultRandomBytes(n) {
  return globalThis.crypto.getRandomValues(new Uint8Array(n));
}

// Returns the secret `a` and public `A` for one sign-in attempt.
export function generateA(randomBytes = defaultRandomBytes) {
  for (;;) {
    const a = smallAFromBytes(randomBytes(128));
    const A = modPow(g, a, N);
    if (a !== 0n && A % N !== 0n) return { a, A };
  }
}

export async function calculateU(A, B) {
  return hexToBig(await hexHash(padHex(A) + padHex(B)));
}

export async function calculateX(poolName, userIdForSrp, password, saltHex) {
  const inner = bytesToHex(await sha256(utf8.encode(`${poolName}${userIdForSrp}:${password}`)));
  return hexToBig(await hexHash(padHex(saltHex) + inner));
}

// Single-block HKDF-SHA256 truncated to 16 bytes, info "Caldera Derived Key".
export async function hkdf(ikm, salt) {
  const prk = await hmacSha256(salt, ikm);
  const okm = await hmacSha256(prk, concat(INFO, new Uint8Array([1])));
  return okm.slice(0, 16);
}

export function poolNameOf(poolId) {
  const i = poolId.indexOf("_");
  if (i < 0) throw new Error(`Unexpected user pool id: ${poolId}`);
  return poolId.slice(i + 1);
}

// Everything derived from the server's challenge; exposed in full for tests.
export async function passwordAuthenticationKey({ poolName, userIdForSrp, password, a, A, B, saltHex }) {
  if (B % N === 0n) throw new Error("Invalid server SRP_B");
  const u = await calculateU(A, B);
  if (u === 0n) throw new Error("Invalid SRP u value");
  const x = await calculateX(poolName, userIdForSrp, password, saltHex);
  const k = await getK();
  const S = modPow(B - k * modPow(g, x, N), a + u * x, N);
  const key = await hkdf(hexToBytes(padHex(S)), hexToBytes(padHex(u)));
  return { u, x, S, key };
}

// Cognito wants e.g. "Tue Mar 5 07:08:09 UTC 2024": English names, UTC,
// day of month NOT zero padded.
export function formatTimestamp(date) {
  const p2 = (n) => String(n).padStart(2, "0");
  return (
    `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()} ` +
    `${p2(date.getUTCHours())}:${p2(date.getUTCMinutes())}:${p2(date.getUTCSeconds())} UTC ${date.getUTCFullYear()}`
  );
}

export async function claimSignature({ key, poolName, userIdForSrp, secretBlock, timestamp }) {
  const msg = concat(utf8.encode(poolName), utf8.encode(userIdForSrp), base64ToBytes(secretBlock), utf8.encode(timestamp));
  return bytesToBase64(await hmacSha256(key, msg));
}

// Builds the ChallengeResponses for the PASSWORD_VERIFIER challenge.
export async function passwordVerifierResponses({ poolId, password, params, a, A, now = new Date() }) {
  const poolName = poolNameOf(poolId);
  const userIdForSrp = params.USER_ID_FOR_SRP;
  const { key } = await passwordAuthenticationKey({
    poolName,
    userIdForSrp,
    password,
    a,
    A,
    B: hexToBig(params.SRP_B),
    saltHex: params.SALT,
  });
  const timestamp = formatTimestamp(now);
  const signature = await claimSignature({ key, poolName, userIdForSrp, secretBlock: params.SECRET_BLOCK, timestamp });
  return {
    USERNAME: userIdForSrp,
    PASSWORD_CLAIM_SECRET_BLOCK: params.SECRET_BLOCK,
    PASSWORD_CLAIM_SIGNATURE: signature,
    TIMESTAMP: timestamp,
  };
}
