// Minimal client for Cognito's JSON API (what the AWS SDK does under the
// hood), so the site needs no SDK and no build step.

export class CognitoError extends Error {
  constructor(type, message, status) {
    super(message);
    this.type = type;
    this.status = status;
  }
}

// Cognito's own messages are fine for most errors; these read better.
const FRIENDLY = {
  NotAuthorizedException: "Incorrect username or password.",
  UserNotFoundException: "Incorrect username or password.",
  PasswordResetRequiredException: "You need to reset your password before signing in.",
  UserNotConfirmedException: "Your account has not been confirmed yet.",
  CodeMismatchException: "That code is not correct. Please try again.",
  ExpiredCodeException: "That code has expired. Please sign in again.",
  TooManyRequestsException: "Too many attempts. Please wait a moment and try again.",
  LimitExceededException: "Too many attempts. Please wait a moment and try again.",
  UsernameExistsException: "An account with this email already exists.",
};

export function createCognitoClient({ endpoint, clientId, fetchImpl = (...a) => fetch(...a) }) {
  async function call(target, payload) {
    let response;
    try {
      response = await fetchImpl(endpoint, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-amz-json-1.1",
          "X-Amz-Target": `AWSCognitoIdentityProviderService.${target}`,
        },
        body: JSON.stringify(payload),
        cache: "no-store",
      });
    } catch {
      throw new CognitoError("NetworkError", "Could not reach the sign-in service. Check your connection.", 0);
    }
    const text = await response.text();
    let body = {};
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      // Non-JSON errors (e.g. a proxy page) fall through with an empty body.
    }
    if (!response.ok) {
      // __type may be namespaced, e.g. "com.amazonaws...#NotAuthorizedException".
      const type = String(body.__type || body.code || "UnknownError").split("#").pop();
      const raw = body.message || body.Message || `Sign-in failed (HTTP ${response.status}).`;
      // Keep Cognito's message for NotAuthorized when it is about something
      // other than the password (e.g. disabled user, expired refresh token).
      const keepRaw = type === "NotAuthorizedException" && !/password/i.test(raw);
      throw new CognitoError(type, keepRaw ? raw : FRIENDLY[type] || raw, response.status);
    }
    return body;
  }

  return {
    initiateAuth(authFlow, authParameters) {
      return call("InitiateAuth", { AuthFlow: authFlow, ClientId: clientId, AuthParameters: authParameters });
    },
    respondToAuthChallenge(challengeName, challengeResponses, session) {
      const payload = { ChallengeName: challengeName, ClientId: clientId, ChallengeResponses: challengeResponses };
      if (session) payload.Session = session;
      return call("RespondToAuthChallenge", payload);
    },
    signUp(username, password, attributes) {
      const UserAttributes = Object.entries(attributes).map(([Name, Value]) => ({ Name, Value }));
      return call("SignUp", { ClientId: clientId, Username: username, Password: password, UserAttributes });
    },
    confirmSignUp(username, code) {
      return call("ConfirmSignUp", { ClientId: clientId, Username: username, ConfirmationCode: code });
    },
    resendConfirmationCode(username) {
      return call("ResendConfirmationCode", { ClientId: clientId, Username: username });
    },
    revokeToken(token) {
      return call("RevokeToken", { ClientId: clientId, Token: token });
    },
  };
}
