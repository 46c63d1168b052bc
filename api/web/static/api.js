// Calls to the Navis Records /v1 API with the patient's bearer token.
// The token lives in sessionStorage: it survives a reload of this tab but not closing it, and no other tab sees it.

const TOKEN_KEY = "navis.token";

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  sessionStorage.setItem(TOKEN_KEY, value);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** A refusal or failure, carrying the message the API gave (never a raw body: it could be a proxy's page). */
export class ApiFailure extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** fetch() with the token; resolves to the Response when it is 2xx, otherwise throws an ApiFailure. */
export async function call(path, options = {}) {
  const headers = new Headers(options.headers || {});
  headers.set("Authorization", `Bearer ${token() || ""}`);
  let response;
  try {
    response = await fetch(path, { ...options, headers, cache: "no-store", credentials: "omit" });
  } catch {
    throw new ApiFailure(0, "The service cannot be reached. Check your connection and try again.");
  }
  if (!response.ok) {
    throw new ApiFailure(response.status, await messageOf(response));
  }
  return response;
}

export async function json(path, options = {}) {
  return (await call(path, options)).json();
}

export function sendJson(path, method, body) {
  return json(path, { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

async function messageOf(response) {
  // Our errors are {"error": {"code", "message", "issues"?}}; the issues say which field was wrong.
  try {
    const error = (await response.json()).error;
    if (error && typeof error.message === "string") {
      const issues = Array.isArray(error.issues) ? error.issues : [];
      const where = issues.map((issue) => `${issue.location}: ${issue.message}`).join("; ");
      return where ? `${error.message} (${where})` : error.message;
    }
  } catch {
    // not JSON: fall through to the status line
  }
  return `The service answered ${response.status}. Please try again later.`;
}
