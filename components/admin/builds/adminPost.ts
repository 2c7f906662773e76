"use client";

import { fetchJson } from "../../ui/fetch-json";

/** POSTs to a console API; resolves with the JSON answer or throws with Berth's message. */
export function adminPost<T>(url: string): Promise<T> {
  return fetchJson<T>(url, { method: "POST" });
}
