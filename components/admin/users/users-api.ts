import { fetchJson, problemText } from "../../ui/fetch-json";

// The console's calls to /api/admin/users…: a result with the data, or the server's own message.
export type ApiResult<T> = { ok: true; data: T } | { ok: false; message: string };

export async function callApi<T>(method: "GET" | "POST" | "PUT" | "DELETE", url: string, body?: unknown): Promise<ApiResult<T>> {
  try {
    return { ok: true, data: await fetchJson<T>(url, { method, body }) };
  } catch (err) {
    return { ok: false, message: problemText(err) };
  }
}

export const userUrl = (name: string) => `/api/admin/users/${encodeURIComponent(name)}`;
