"use client";

import { useCallback, useSyncExternalStore } from "react";

// Cards or table on My servers, remembered per browser. Until the person chooses, the page picks
// by how many servers there are; the server renders that default (it cannot see the browser's
// storage) and the stored choice takes over on the first client render.

export type ServersView = "cards" | "table";

const KEY = "berth:servers-view";
const listeners = new Set<() => void>();
// Where storage is refused (a locked-down browser), the choice still holds for this page.
let chosen: ServersView | null = null;

function read(): ServersView | null {
  try {
    const v = window.localStorage.getItem(KEY);
    if (v === "cards" || v === "table") return v;
  } catch {
    // Storage blocked: fall back to this page's choice.
  }
  return chosen;
}

function subscribe(onChange: () => void): () => void {
  listeners.add(onChange);
  // Another tab's choice applies here too.
  const onStorage = (e: StorageEvent) => {
    if (e.key === KEY) onChange();
  };
  window.addEventListener("storage", onStorage);
  return () => {
    listeners.delete(onChange);
    window.removeEventListener("storage", onStorage);
  };
}

export function useServersView(fallback: ServersView): [ServersView, (view: ServersView) => void] {
  const stored = useSyncExternalStore(subscribe, read, () => null);
  const choose = useCallback((view: ServersView) => {
    chosen = view;
    try {
      window.localStorage.setItem(KEY, view);
    } catch {
      // Kept for this page only.
    }
    for (const l of listeners) l();
  }, []);
  return [stored ?? fallback, choose];
}
