// The admin API as the console calls it: the bearer token from sessionStorage only, and
// every failure turned into an ApiError carrying the API's own message.
const KEY = "siyu.console.token";
const BASE = "/api/v1";

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || [];
  }
}

export const token = {
  get: () => sessionStorage.getItem(KEY),
  set: (value) => sessionStorage.setItem(KEY, value),
  forget: () => sessionStorage.clear(),  // the token and what was typed with it (searches)
};

export async function api(method, path, body) {
  const headers = { Authorization: `Bearer ${token.get() || ""}` };
  const init = { method, headers };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let resp;
  try {
    resp = await fetch(BASE + path, init);
  } catch (err) {
    throw new ApiError(0, "network", "无法连接服务器，请检查网络后重试", []);
  }
  return readAnswer(resp);
}

async function readAnswer(resp) {
  if (resp.status === 204) return null;
  const json = resp.headers.get("Content-Type")?.includes("json");
  const data = json ? await resp.json() : await resp.text();
  if (resp.ok) return data;
  const e = (json && data.error) || {};
  if (resp.status === 401) window.dispatchEvent(new Event("siyu:signed-out"));
  throw new ApiError(resp.status, e.code || "http_error", e.message || `请求失败（${resp.status}）`, e.details);
}

export const get = (path) => api("GET", path);
export const post = (path, body) => api("POST", path, body === undefined ? undefined : body);

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== "" && v != null) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}
