"use client";

import { useCallback, useEffect, useState } from "react";
import type { ShareLinks } from "@/lib/launch/share-links";

export type PathKind = "labpath" | "urlpath";

export interface LinkInput {
  repository: string;
  ref: string;
  provider: string;
  path: string;
  pathKind: PathKind;
}

// The route's answer, typed where it is made (a type-only import: nothing of the server module
// reaches the browser bundle).
export type Links = ShareLinks;

export type LinkError = { message: string; field: "repository" | "ref" };

export type LinkState =
  | { status: "empty" }
  | { status: "loading"; previous: Links | null }
  | { status: "ok"; links: Links }
  | { status: "error"; error: LinkError };

type Result = { links: Links } | { error: LinkError };

const DEBOUNCE_MS = 250;

function body(input: LinkInput) {
  const path = input.path.trim();
  return {
    repository: input.repository.trim(),
    ref: input.ref.trim() || undefined,
    provider: input.provider || undefined,
    ...(path ? { [input.pathKind]: path } : {}),
  };
}

const unreachable: Result = { error: { field: "repository", message: "Berth could not be reached to check the repository. Check your connection and try again." } };

async function fetchLinks(payload: string, signal?: AbortSignal): Promise<Result> {
  const res = await fetch("/api/launch/links", { method: "POST", headers: { "content-type": "application/json" }, body: payload, signal });
  const data = (await res.json().catch(() => ({}))) as Partial<Links> & { message?: string; reason?: string };
  if (res.ok) return { links: data as Links };
  if (res.status === 401) return { error: { field: "repository", message: "Your session has ended. Reload the page and sign in again." } };
  return {
    error: {
      field: data.reason === "invalid_ref" ? "ref" : "repository",
      message: data.message ?? `Berth could not read this repository (HTTP ${res.status}). Try again.`,
    },
  };
}

/**
 * The launch link and badge for what is typed, refreshed after each pause in typing. `now()`
 * answers for the current input at once (for the Launch button), reusing a finished answer.
 */
export function useShareLinks(input: LinkInput) {
  const payload = body(input);
  const key = JSON.stringify(payload);
  const empty = payload.repository === "";
  const [answer, setAnswer] = useState<{ key: string; result: Result } | null>(null);
  const [lastOk, setLastOk] = useState<Links | null>(null);

  useEffect(() => {
    if (empty) return;
    const ctrl = new AbortController();
    const t = setTimeout(() => {
      fetchLinks(key, ctrl.signal)
        .then((result) => {
          setAnswer({ key, result });
          if ("links" in result) setLastOk(result.links);
        })
        .catch((err: unknown) => {
          if ((err as Error).name !== "AbortError") setAnswer({ key, result: unreachable });
        });
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(t);
      ctrl.abort();
    };
  }, [key, empty]);

  const state: LinkState = empty
    ? { status: "empty" }
    : answer?.key === key
      ? "links" in answer.result
        ? { status: "ok", links: answer.result.links }
        : { status: "error", error: answer.result.error }
      : { status: "loading", previous: lastOk };

  const now = useCallback(async (): Promise<Result | null> => {
    if (empty) return null;
    if (answer?.key === key) return answer.result;
    try {
      return await fetchLinks(key);
    } catch {
      return unreachable;
    }
  }, [answer, key, empty]);

  return { state, now };
}
