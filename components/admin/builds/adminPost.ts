"use client";

/** POSTs to a console API; resolves with the JSON answer or throws with Berth's message. */
export async function adminPost<T>(url: string): Promise<T> {
  const res = await fetch(url, { method: "POST", headers: { accept: "application/json" } });
  const body = (await res.json().catch(() => ({}))) as { message?: string };
  if (!res.ok) throw new Error(body.message ?? `Berth answered ${res.status}. Try again.`);
  return body as T;
}
