// Loads the per-stack runtime config written next to index.html by the
// infrastructure (or by local mode). Validated up front so a broken deploy
// shows one clear message instead of failures scattered across the app.

export class ConfigError extends Error {}

function requireString(obj, key, where) {
  const value = obj?.[key];
  if (typeof value !== "string" || value.trim() === "") {
    throw new ConfigError(`config.json is missing "${where}${key}".`);
  }
  return value;
}

function requireUrl(value, where) {
  let url;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`config.json "${where}" is not a valid URL.`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError(`config.json "${where}" must be an http(s) URL.`);
  }
  return value;
}

export function parseConfig(raw) {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError("config.json must contain a JSON object.");
  }
  const apiUrl = requireUrl(requireString(raw, "apiUrl", ""), "apiUrl").replace(/\/+$/, "");
  if (!raw.auth || typeof raw.auth !== "object") throw new ConfigError('config.json is missing "auth".');
  const userPoolId = requireString(raw.auth, "userPoolId", "auth.");
  if (!userPoolId.includes("_")) throw new ConfigError('config.json "auth.userPoolId" looks wrong (expected region_id).');
  return {
    stack: typeof raw.stack === "string" ? raw.stack : "",
    pattern: typeof raw.pattern === "string" ? raw.pattern : "",
    region: typeof raw.region === "string" ? raw.region : "",
    apiUrl,
    auth: {
      userPoolId,
      clientId: requireString(raw.auth, "clientId", "auth."),
      endpoint: requireUrl(requireString(raw.auth, "endpoint", "auth."), "auth.endpoint"),
      // Whether the pool lets people create their own accounts (the sign-up screens).
      selfSignUp: raw.auth.selfSignUp === true,
    },
  };
}

export async function loadConfig(fetchImpl = fetch, url = "/config.json") {
  let response;
  try {
    response = await fetchImpl(url, { cache: "no-store", headers: { Accept: "application/json" } });
  } catch {
    throw new ConfigError("Could not download config.json (network error).");
  }
  if (!response.ok) {
    throw new ConfigError(`Could not load config.json (HTTP ${response.status}). Has this stack been deployed?`);
  }
  let raw;
  try {
    raw = await response.json();
  } catch {
    throw new ConfigError("config.json is not valid JSON.");
  }
  return parseConfig(raw);
}
