// Sign-in state: the SRP flow, follow-up challenges, token refresh, sign-up
// with its confirmation code, and sign-out (which revokes the refresh token).
// Tokens live in sessionStorage so they vanish with the tab and are not shared
// across tabs the way localStorage would be.

import { createCognitoClient, CognitoError } from "./cognito.js";
import { generateA, bigToHex, passwordVerifierResponses, defaultRandomBytes } from "./srp.js";

// Refresh this long before expiry so a request never leaves with a token
// that expires in flight.
const REFRESH_MARGIN_MS = 5 * 60 * 1000;

export const SUPPORTED_CHALLENGES = ["NEW_PASSWORD_REQUIRED", "SMS_MFA", "SOFTWARE_TOKEN_MFA"];

export function decodeJwt(token) {
  const part = String(token).split(".")[1];
  if (!part) throw new Error("Malformed token");
  const b64 = part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "=");
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

export function userFromIdToken(idToken) {
  const claims = decodeJwt(idToken);
  let groups = claims["cognito:groups"] || [];
  if (typeof groups === "string") groups = [groups];
  return {
    username: claims["cognito:username"] || claims.username || claims.sub,
    displayName: claims.name || claims.email || claims["cognito:username"] || claims.sub,
    email: claims.email,
    groups,
    isAdmin: groups.includes("admins"),
    expiresAt: (claims.exp || 0) * 1000,
  };
}

export class SessionExpiredError extends Error {
  constructor(message = "Your session has expired. Please sign in again.") {
    super(message);
  }
}

export function createAuth({
  config,
  storage = globalThis.sessionStorage,
  fetchImpl,
  now = () => Date.now(),
  randomBytes = defaultRandomBytes,
  onChange = () => {},
}) {
  const cognito = createCognitoClient({ endpoint: config.auth.endpoint, clientId: config.auth.clientId, fetchImpl });
  const storageKey = `multitier.tokens.${config.auth.clientId}`;
  let tokens = load();
  let pending = null; // { name, params, session, username } while a challenge is open
  let refreshing = null;

  function load() {
    try {
      const t = JSON.parse(storage.getItem(storageKey) || "null");
      return t && t.idToken ? t : null;
    } catch {
      return null;
    }
  }

  function save(next) {
    tokens = next;
    if (next) storage.setItem(storageKey, JSON.stringify(next));
    else storage.removeItem(storageKey);
    onChange(currentUser());
  }

  function currentUser() {
    if (!tokens) return null;
    try {
      return userFromIdToken(tokens.idToken);
    } catch {
      return null;
    }
  }

  function accept(result, previousRefreshToken) {
    const r = result.AuthenticationResult;
    save({
      idToken: r.IdToken,
      accessToken: r.AccessToken,
      // REFRESH_TOKEN_AUTH does not return a new refresh token.
      refreshToken: r.RefreshToken || previousRefreshToken || null,
    });
    pending = null;
    return { done: true, user: currentUser() };
  }

  // Turns a Cognito response into either "signed in" or "answer this challenge".
  function next(result, username) {
    if (result.AuthenticationResult) return accept(result);
    const name = result.ChallengeName;
    if (!SUPPORTED_CHALLENGES.includes(name)) {
      pending = null;
      throw new CognitoError(
        "UnsupportedChallenge",
        `This account needs a sign-in step this app does not support (${name || "unknown"}).`,
        0,
      );
    }
    const params = result.ChallengeParameters || {};
    pending = { name, params, session: result.Session, username: params.USER_ID_FOR_SRP || username };
    return { done: false, challenge: describeChallenge(pending) };
  }

  function describeChallenge({ name, params }) {
    if (name === "NEW_PASSWORD_REQUIRED") {
      let required = [];
      try {
        required = JSON.parse(params.requiredAttributes || "[]");
      } catch {
        required = [];
      }
      return { name, requiredAttributes: required.map((a) => a.replace(/^userAttributes\./, "")) };
    }
    return { name, destination: params.CODE_DELIVERY_DESTINATION || "" };
  }

  async function signIn(username, password) {
    pending = null;
    const { a, A } = generateA(randomBytes);
    const init = await cognito.initiateAuth("USER_SRP_AUTH", { USERNAME: username, SRP_A: bigToHex(A) });
    if (init.ChallengeName !== "PASSWORD_VERIFIER") return next(init, username);
    const responses = await passwordVerifierResponses({
      poolId: config.auth.userPoolId,
      password,
      params: init.ChallengeParameters,
      a,
      A,
      now: new Date(now()),
    });
    const result = await cognito.respondToAuthChallenge("PASSWORD_VERIFIER", responses, init.Session);
    return next(result, responses.USERNAME);
  }

  // answers: { newPassword, attributes: {name: value} } or { code }
  async function answerChallenge(answers) {
    if (!pending) throw new CognitoError("NoChallenge", "Please sign in again.", 0);
    const { name, session, username } = pending;
    const responses = { USERNAME: username };
    if (name === "NEW_PASSWORD_REQUIRED") {
      responses.NEW_PASSWORD = answers.newPassword;
      for (const [attr, value] of Object.entries(answers.attributes || {})) {
        responses[`userAttributes.${attr}`] = value;
      }
    } else if (name === "SMS_MFA") {
      responses.SMS_MFA_CODE = answers.code;
    } else {
      responses.SOFTWARE_TOKEN_MFA_CODE = answers.code;
    }
    try {
      return next(await cognito.respondToAuthChallenge(name, responses, session), username);
    } catch (err) {
      // A Cognito session is single-use after most failures; start over then.
      if (err.type === "NotAuthorizedException" || err.type === "ExpiredCodeException") pending = null;
      throw err;
    }
  }

  async function refresh() {
    if (!tokens?.refreshToken) throw new SessionExpiredError();
    const refreshToken = tokens.refreshToken;
    try {
      const result = await cognito.initiateAuth("REFRESH_TOKEN_AUTH", { REFRESH_TOKEN: refreshToken });
      if (!result.AuthenticationResult) throw new SessionExpiredError();
      accept(result, refreshToken);
    } catch (err) {
      if (err instanceof CognitoError && err.type === "NetworkError") throw err;
      save(null);
      throw err instanceof SessionExpiredError ? err : new SessionExpiredError();
    }
  }

  // The pool sends a code to the address; the account works once it is confirmed.
  async function signUp(email, password) {
    const result = await cognito.signUp(email, password, { email });
    return { confirmed: result.UserConfirmed === true, destination: result.CodeDeliveryDetails?.Destination || "" };
  }

  async function resendCode(email) {
    const result = await cognito.resendConfirmationCode(email);
    return result.CodeDeliveryDetails?.Destination || "";
  }

  // Signed out here at once; revoking the refresh token ends the session at
  // Cognito too, so a copied token cannot be used to get new ones.
  async function signOut() {
    const refreshToken = tokens?.refreshToken;
    pending = null;
    save(null);
    if (!refreshToken) return;
    try {
      await cognito.revokeToken(refreshToken);
    } catch {
      // Offline or already invalid: the token still expires on its own.
    }
  }

  async function getIdToken() {
    if (!tokens) throw new SessionExpiredError("Please sign in.");
    const user = currentUser();
    if (!user || user.expiresAt - now() < REFRESH_MARGIN_MS) {
      refreshing ??= refresh().finally(() => {
        refreshing = null;
      });
      await refreshing;
    }
    return tokens.idToken;
  }

  return {
    signIn,
    answerChallenge,
    cancelChallenge() {
      pending = null;
    },
    getIdToken,
    refresh,
    signUp,
    confirmSignUp: (email, code) => cognito.confirmSignUp(email, code),
    resendCode,
    signOut,
    user: currentUser,
  };
}
