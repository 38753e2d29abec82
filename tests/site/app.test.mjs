// Unit tests for the non-DOM modules: config validation, API client, auth
// session handling and formatting helpers. Fetch and storage are faked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseConfig, loadConfig, ConfigError } from "../../site/js/config.js";
import { createApi, ApiError, describeFieldError, newIdempotencyKey } from "../../site/js/api.js";
import { createAuth, userFromIdToken, SessionExpiredError } from "../../site/js/auth.js";
import { parsePriceToCents, humanizeKey, localInputToUtcIso, formatPrice } from "../../site/js/format.js";

const goodConfig = {
  stack: "dev",
  pattern: "single_page_app",
  apiUrl: "https://abc.execute-api.us-east-1.amazonaws.com/live",
  region: "us-east-1",
  auth: { userPoolId: "us-east-1_Abc", clientId: "xyz", endpoint: "https://cognito-idp.us-east-1.amazonaws.com/", selfSignUp: true },
};

const json = (status, body) => ({ ok: status < 400, status, text: async () => JSON.stringify(body), json: async () => body });
const b64url = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
const jwt = (claims) => `${b64url({ alg: "none" })}.${b64url(claims)}.sig`;

function memoryStorage() {
  const m = new Map();
  return { getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, String(v)), removeItem: (k) => m.delete(k), m };
}

test("config: accepts the documented shape", () => {
  assert.deepEqual(parseConfig(goodConfig), goodConfig);
});

test("config: sign-up screens only where the runtime config says the pool allows it", () => {
  const { selfSignUp, ...withoutFlag } = goodConfig.auth;
  assert.equal(selfSignUp, true);
  assert.equal(parseConfig({ ...goodConfig, auth: withoutFlag }).auth.selfSignUp, false);
  assert.equal(parseConfig({ ...goodConfig, auth: { ...withoutFlag, selfSignUp: "true" } }).auth.selfSignUp, false);
});

test("config: rejects missing or malformed fields with a clear message", () => {
  assert.throws(() => parseConfig(null), ConfigError);
  assert.throws(() => parseConfig({ ...goodConfig, apiUrl: "" }), /apiUrl/);
  assert.throws(() => parseConfig({ ...goodConfig, apiUrl: "not a url" }), /apiUrl/);
  assert.throws(() => parseConfig({ ...goodConfig, auth: undefined }), /auth/);
  assert.throws(() => parseConfig({ ...goodConfig, auth: { ...goodConfig.auth, clientId: 3 } }), /clientId/);
  assert.throws(() => parseConfig({ ...goodConfig, auth: { ...goodConfig.auth, endpoint: "ftp://x" } }), /endpoint/);
});

test("config: fetched from /config.json without caching; HTTP and JSON errors explained", async () => {
  let seen;
  await loadConfig(async (url, init) => ((seen = { url, init }), json(200, goodConfig)));
  assert.equal(seen.url, "/config.json");
  assert.equal(seen.init.cache, "no-store");
  await assert.rejects(loadConfig(async () => json(404, {})), /HTTP 404/);
  await assert.rejects(loadConfig(async () => ({ ok: true, status: 200, json: async () => { throw new SyntaxError("x"); } })), /not valid JSON/);
  await assert.rejects(loadConfig(async () => { throw new TypeError("offline"); }), /network/);
});

test("api: raw JWT in Authorization, JSON body, query params skipped when empty", async () => {
  const calls = [];
  const api = createApi({ apiUrl: "https://api.test/live", getIdToken: async () => "tok.en.x", fetchImpl: async (url, init) => (calls.push({ url, init }), json(200, { items: [] })) });
  await api.listShows({ limit: 12, cursor: "", from: "2030-01-01T00:00:00Z" });
  assert.equal(calls[0].url, "https://api.test/live/shows?limit=12&from=2030-01-01T00%3A00%3A00Z");
  assert.equal(calls[0].init.headers.Authorization, "tok.en.x");
  await api.buyTickets({ showId: "s1", quantity: 2, idempotencyKey: "k-1" });
  assert.equal(calls[1].init.method, "POST");
  assert.equal(calls[1].url, "https://api.test/live/tickets");
  assert.equal(calls[1].init.headers["Idempotency-Key"], "k-1");
  assert.equal(calls[1].init.headers["Content-Type"], "application/json");
  assert.deepEqual(JSON.parse(calls[1].init.body), { show_id: "s1", quantity: 2 });
  await api.cancelTicket("a/b");
  assert.equal(calls[2].init.method, "POST");
  assert.equal(calls[2].url, "https://api.test/live/tickets/a%2Fb/cancel");
});

test("api: error message and field errors surface; 401 triggers re-sign-in", async () => {
  let unauthorized = null;
  const responses = [
    json(409, { message: "Sold out" }),
    json(400, { message: "Invalid show", errors: ["title is required", { field: "capacity", message: "must be > 0" }, { loc: ["body", "venue"], msg: "missing" }] }),
    json(500, "oops"),
    json(401, { message: "Unauthorized" }),
  ];
  const api = createApi({ apiUrl: "https://api.test", getIdToken: async () => "t", onUnauthorized: (m) => (unauthorized = m), fetchImpl: async () => responses.shift() });
  await assert.rejects(api.buyTickets({ showId: "s", quantity: 1, idempotencyKey: "k" }), (e) => e instanceof ApiError && e.status === 409 && e.message === "Sold out");
  await assert.rejects(api.createShow({}), (e) => e.message === "Invalid show" && e.errors.join("|") === "title is required|capacity: must be > 0|venue: missing");
  await assert.rejects(api.getInfo(), /server had a problem \(HTTP 500\)/);
  await assert.rejects(api.listTickets(), (e) => e.status === 401);
  assert.match(unauthorized, /sign in again/);
});

test("api: idempotency keys are v4 UUIDs and unique", () => {
  const a = newIdempotencyKey();
  assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(a, newIdempotencyKey());
  assert.equal(describeFieldError("x"), "x");
});

test("auth: admin flag from cognito:groups", () => {
  assert.equal(userFromIdToken(jwt({ sub: "1", "cognito:groups": ["admins"], exp: 1 })).isAdmin, true);
  assert.equal(userFromIdToken(jwt({ sub: "1", "cognito:groups": ["staff"], exp: 1 })).isAdmin, false);
  assert.equal(userFromIdToken(jwt({ sub: "1", exp: 1 })).isAdmin, false);
});

test("auth: refreshes a soon-expiring ID token with REFRESH_TOKEN_AUTH and keeps the refresh token", async () => {
  const storage = memoryStorage();
  const now = 1_700_000_000_000;
  storage.setItem("multitier.tokens.xyz", JSON.stringify({ idToken: jwt({ sub: "u", exp: now / 1000 + 60 }), refreshToken: "R" }));
  const calls = [];
  const fresh = jwt({ sub: "u", exp: now / 1000 + 3600 });
  const auth = createAuth({
    config: goodConfig,
    storage,
    now: () => now,
    fetchImpl: async (url, init) => {
      calls.push({ url, init });
      return json(200, { AuthenticationResult: { IdToken: fresh, AccessToken: "A" } });
    },
  });
  assert.equal(await auth.getIdToken(), fresh);
  assert.equal(calls.length, 1);
  assert.equal(calls[0].url, goodConfig.auth.endpoint);
  assert.equal(calls[0].init.headers["X-Amz-Target"], "AWSCognitoIdentityProviderService.InitiateAuth");
  assert.equal(calls[0].init.headers["Content-Type"], "application/x-amz-json-1.1");
  assert.deepEqual(JSON.parse(calls[0].init.body), { AuthFlow: "REFRESH_TOKEN_AUTH", ClientId: "xyz", AuthParameters: { REFRESH_TOKEN: "R" } });
  assert.equal(JSON.parse(storage.getItem("multitier.tokens.xyz")).refreshToken, "R");
  assert.equal(await auth.getIdToken(), fresh);
  assert.equal(calls.length, 1, "a fresh token is not refreshed again");
});

test("auth: a rejected refresh signs out and reports an expired session", async () => {
  const storage = memoryStorage();
  storage.setItem("multitier.tokens.xyz", JSON.stringify({ idToken: jwt({ sub: "u", exp: 1 }), refreshToken: "R" }));
  const auth = createAuth({ config: goodConfig, storage, fetchImpl: async () => json(400, { __type: "NotAuthorizedException", message: "Refresh Token has expired" }) });
  await assert.rejects(auth.getIdToken(), SessionExpiredError);
  assert.equal(auth.user(), null);
  assert.equal(storage.getItem("multitier.tokens.xyz"), null);
});

test("auth: SRP sign-in sends USER_SRP_AUTH then PASSWORD_VERIFIER, handles NEW_PASSWORD_REQUIRED", async () => {
  const storage = memoryStorage();
  const bodies = [];
  const idToken = jwt({ sub: "u", exp: Date.now() / 1000 + 3600 });
  const replies = [
    json(200, { ChallengeName: "PASSWORD_VERIFIER", ChallengeParameters: { SALT: "abcd", SRP_B: "1234567890abcdef", SECRET_BLOCK: "c2VjcmV0", USER_ID_FOR_SRP: "sub-1", USERNAME: "sub-1" } }),
    json(200, { ChallengeName: "NEW_PASSWORD_REQUIRED", Session: "S1", ChallengeParameters: { USER_ID_FOR_SRP: "sub-1", requiredAttributes: '["userAttributes.name"]' } }),
    json(200, { AuthenticationResult: { IdToken: idToken, AccessToken: "A", RefreshToken: "R" } }),
  ];
  const auth = createAuth({ config: goodConfig, storage, fetchImpl: async (url, init) => (bodies.push([init.headers["X-Amz-Target"], JSON.parse(init.body)]), replies.shift()) });
  const first = await auth.signIn("alice", "pw");
  assert.deepEqual(first.challenge, { name: "NEW_PASSWORD_REQUIRED", requiredAttributes: ["name"] });
  assert.equal(bodies[0][1].AuthFlow, "USER_SRP_AUTH");
  assert.equal(bodies[0][1].AuthParameters.USERNAME, "alice");
  assert.match(bodies[0][1].AuthParameters.SRP_A, /^[0-9a-f]+$/);
  assert.equal(bodies[1][0], "AWSCognitoIdentityProviderService.RespondToAuthChallenge");
  assert.equal(bodies[1][1].ChallengeName, "PASSWORD_VERIFIER");
  assert.equal(bodies[1][1].ChallengeResponses.USERNAME, "sub-1");
  assert.match(bodies[1][1].ChallengeResponses.TIMESTAMP, /^\w{3} \w{3} [1-9]\d? \d\d:\d\d:\d\d UTC \d{4}$/);
  const done = await auth.answerChallenge({ newPassword: "New-Pass1", attributes: { name: "Al" } });
  assert.equal(done.done, true);
  assert.deepEqual(bodies[2][1], { ChallengeName: "NEW_PASSWORD_REQUIRED", ClientId: "xyz", Session: "S1", ChallengeResponses: { USERNAME: "sub-1", NEW_PASSWORD: "New-Pass1", "userAttributes.name": "Al" } });
  assert.equal(JSON.parse(storage.getItem("multitier.tokens.xyz")).idToken, idToken);
  auth.signOut();
  assert.equal(storage.getItem("multitier.tokens.xyz"), null);
});

function recordingCognito(replies) {
  const calls = [];
  const fetchImpl = async (url, init) => {
    calls.push({ url, target: init.headers["X-Amz-Target"].split(".").pop(), body: JSON.parse(init.body) });
    const reply = replies.shift();
    if (reply instanceof Error) throw reply;
    return reply;
  };
  return { calls, fetchImpl };
}

test("auth: sign-up sends the email as username and attribute, then confirm and resend", async () => {
  const { calls, fetchImpl } = recordingCognito([
    json(200, { UserConfirmed: false, UserSub: "s-1", CodeDeliveryDetails: { Destination: "n***@e***", DeliveryMedium: "EMAIL" } }),
    json(400, { __type: "CodeMismatchException", message: "Invalid verification code provided, please try again." }),
    json(200, { CodeDeliveryDetails: { Destination: "n***@e***" } }),
    json(200, {}),
  ]);
  const auth = createAuth({ config: goodConfig, storage: memoryStorage(), fetchImpl });
  assert.deepEqual(await auth.signUp("new@example.com", "Pw-12345678"), { confirmed: false, destination: "n***@e***" });
  assert.deepEqual(calls[0], { url: goodConfig.auth.endpoint, target: "SignUp", body: {
    ClientId: "xyz", Username: "new@example.com", Password: "Pw-12345678", UserAttributes: [{ Name: "email", Value: "new@example.com" }] } });
  await assert.rejects(auth.confirmSignUp("new@example.com", "000000"), (e) => e.type === "CodeMismatchException" && /not correct/.test(e.message));
  assert.deepEqual(calls[1].body, { ClientId: "xyz", Username: "new@example.com", ConfirmationCode: "000000" });
  assert.equal(await auth.resendCode("new@example.com"), "n***@e***");
  assert.deepEqual([calls[2].target, calls[2].body], ["ResendConfirmationCode", { ClientId: "xyz", Username: "new@example.com" }]);
  await auth.confirmSignUp("new@example.com", "123456");
  assert.equal(calls[3].target, "ConfirmSignUp");
  assert.equal(auth.user(), null, "signing up does not sign in");
});

test("auth: an existing address gets a readable message", async () => {
  const { fetchImpl } = recordingCognito([json(400, { __type: "UsernameExistsException", message: "User already exists" })]);
  const auth = createAuth({ config: goodConfig, storage: memoryStorage(), fetchImpl });
  await assert.rejects(auth.signUp("old@example.com", "Pw-12345678"), /already exists/);
});

test("auth: sign-out forgets the tokens at once and revokes the refresh token", async () => {
  const storage = memoryStorage();
  storage.setItem("multitier.tokens.xyz", JSON.stringify({ idToken: jwt({ sub: "u", exp: 9e9 }), refreshToken: "R-1" }));
  const { calls, fetchImpl } = recordingCognito([json(200, {})]);
  const auth = createAuth({ config: goodConfig, storage, fetchImpl });
  const signingOut = auth.signOut();
  assert.equal(storage.getItem("multitier.tokens.xyz"), null, "signed out before the network answers");
  assert.equal(auth.user(), null);
  await signingOut;
  assert.deepEqual(calls, [{ url: goodConfig.auth.endpoint, target: "RevokeToken", body: { ClientId: "xyz", Token: "R-1" } }]);
});

test("auth: sign-out still signs out when revoking fails, and revokes nothing without a session", async () => {
  const storage = memoryStorage();
  storage.setItem("multitier.tokens.xyz", JSON.stringify({ idToken: jwt({ sub: "u", exp: 9e9 }), refreshToken: "R-1" }));
  const { calls, fetchImpl } = recordingCognito([new TypeError("offline")]);
  const auth = createAuth({ config: goodConfig, storage, fetchImpl });
  await auth.signOut();
  assert.equal(auth.user(), null);
  await auth.signOut();
  assert.equal(calls.length, 1);
});

test("format helpers", () => {
  assert.equal(parsePriceToCents("19.5"), 1950);
  assert.equal(parsePriceToCents("25"), 2500);
  assert.equal(parsePriceToCents("3,05"), 305);
  assert.ok(Number.isNaN(parsePriceToCents("1.234")));
  assert.ok(Number.isNaN(parsePriceToCents("-1")));
  assert.equal(humanizeKey("opening_hours"), "Opening hours");
  assert.equal(humanizeKey("openingHours"), "Opening hours");
  assert.match(localInputToUtcIso("2032-01-02T20:00"), /^2032-01-0[23]T\d\d:00:00Z$/);
  assert.equal(formatPrice(1950, "en-US"), "$19.50");
});
