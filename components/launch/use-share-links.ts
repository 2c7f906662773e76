"use client";

import { useCallback, useEffect, useState } from "react";
import type { ShareLinks } from "@/lib/launch/share-links";
import { fetchJson, RequestError } from "../ui/fetch-json";

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
  try {
    return { links: await fetchJson<Links>("/api/launch/links", { method: "POST", body: payload, signal }) };
  } catch (err) {
    // No answer (or aborted): the caller says Berth could not be reached, or nothing.
    if (!(err instanceof RequestError) || err.status === 0) throw err;
    if (err.status === 401) return { error: { field: "repository", message: "Your session has ended. Reload the page and sign in again." } };
    return { error: { field: err.details.reason === "invalid_ref" ? "ref" : "repository", message: err.message } };
  }
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
