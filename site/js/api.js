// Ticketing API client. Every route is authorized with the raw Cognito ID
// token (no "Bearer " prefix), which is what the API Gateway Cognito
// authorizer expects.

import { SessionExpiredError } from "./auth.js";

export class ApiError extends Error {
  constructor(status, message, errors = []) {
    super(message);
    this.status = status;
    this.errors = errors;
  }
}

// Validation errors may be strings or objects in a few common shapes.
export function describeFieldError(e) {
  if (typeof e === "string") return e;
  if (!e || typeof e !== "object") return String(e);
  const field = e.field ?? e.path ?? e.param ?? (Array.isArray(e.loc) ? e.loc.filter((p) => p !== "body").join(".") : e.loc);
  const msg = e.message ?? e.msg ?? e.detail ?? JSON.stringify(e);
  return field ? `${field}: ${msg}` : msg;
}

export function newIdempotencyKey() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function createApi({ apiUrl, getIdToken, onUnauthorized = () => {}, fetchImpl = (...a) => fetch(...a) }) {
  async function request(method, path, { query, body, headers = {} } = {}) {
    const url = new URL(apiUrl + path);
    for (const [k, v] of Object.entries(query || {})) {
      if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, v);
    }
    let token;
    try {
      token = await getIdToken();
    } catch (err) {
      if (err instanceof SessionExpiredError) onUnauthorized(err.message);
      throw err;
    }
    const init = { method, headers: { Accept: "application/json", Authorization: token, ...headers } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetchImpl(url.toString(), init);
    } catch {
      throw new ApiError(0, "Could not reach the server. Check your connection and try again.");
    }
    const text = response.status === 204 ? "" : await response.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
    if (response.ok) return data;

    const message =
      (data && typeof data.message === "string" && data.message) ||
      (data && typeof data.Message === "string" && data.Message) ||
      defaultMessage(response.status);
    const errors = Array.isArray(data?.errors) ? data.errors.map(describeFieldError) : [];
    if (response.status === 401) {
      const msg = "Your session has expired. Please sign in again.";
      onUnauthorized(msg);
      throw new ApiError(401, msg, errors);
    }
    throw new ApiError(response.status, message, errors);
  }

  return {
    listShows: ({ limit, cursor, from, to } = {}) => request("GET", "/shows", { query: { limit, cursor, from, to } }),
    getShow: (id) => request("GET", `/shows/${encodeURIComponent(id)}`),
    createShow: (show) => request("POST", "/shows", { body: show }),
    buyTickets: ({ showId, quantity, idempotencyKey }) =>
      request("POST", "/tickets", { body: { show_id: showId, quantity }, headers: { "Idempotency-Key": idempotencyKey } }),
    listTickets: () => request("GET", "/tickets"),
    cancelTicket: (id) => request("POST", `/tickets/${encodeURIComponent(id)}/cancel`),
    getInfo: () => request("GET", "/info"),
  };
}

function defaultMessage(status) {
  if (status === 403) return "You are not allowed to do that.";
  if (status === 404) return "Not found.";
  if (status === 409) return "That conflicts with the current state. Please refresh and try again.";
  if (status === 429) return "Too many requests. Please wait a moment and try again.";
  if (status >= 500) return `The server had a problem (HTTP ${status}). Please try again.`;
  return `Request failed (HTTP ${status}).`;
}
