// The console's calls to /api/admin/users…: a result with the data, or the server's own message.
export type ApiResult<T> = { ok: true; data: T } | { ok: false; message: string };

export async function callApi<T>(method: "GET" | "POST" | "PUT" | "DELETE", url: string, body?: unknown): Promise<ApiResult<T>> {
  try {
    const res = await fetch(url, {
      method,
      cache: "no-store",
      headers: body === undefined ? undefined : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = (await res.json().catch(() => ({}))) as T & { message?: string };
    if (res.ok) return { ok: true, data };
    return { ok: false, message: data.message ?? `The request failed (${res.status}). Try again.` };
  } catch {
    return { ok: false, message: "Berth did not answer. Check your connection and try again." };
  }
}

export const userUrl = (name: string) => `/api/admin/users/${encodeURIComponent(name)}`;
