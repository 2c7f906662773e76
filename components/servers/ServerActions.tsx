"use client";

import type { ServerView } from "@/lib/servers/list-servers";
import { buttonStyles } from "../ui/button-styles";
import { Spinner } from "../ui/Spinner";

// What a person can do with one of their servers, in the card and in the table alike: Open while
// it runs, Stop while it runs or starts, Start (Retry after a failure) otherwise, and Delete for a
// named server. Each is named after the server, so a list of them reads right to a screen reader.

export function ServerActions({ server: s, busy, compact = false, onStart, onStop, onDelete }: {
  server: ServerView;
  busy: boolean;
  /** The table's narrow column: Delete shows only its icon (its name stays in the label). */
  compact?: boolean;
  onStart: () => void;
  onStop: () => void;
  onDelete?: () => void;
}) {
  const transitional = s.state === "starting" || s.state === "stopping" || s.state === "deleting";
  return (
    <>
      {s.state === "running" ? (
        <a href={s.url} className={buttonStyles.primary} aria-label={`Open ${s.label}`}>
          Open
          <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className="-mr-0.5 h-4 w-4 opacity-80">
            <path fillRule="evenodd" clipRule="evenodd" d="M3 10a.75.75 0 0 1 .75-.75h10.64L10.2 5.29a.75.75 0 1 1 1.04-1.08l5.5 5.25a.75.75 0 0 1 0 1.08l-5.5 5.25a.75.75 0 1 1-1.04-1.08l4.19-3.96H3.75A.75.75 0 0 1 3 10Z" />
          </svg>
        </a>
      ) : null}
      {s.state === "running" || s.state === "starting" ? (
        <button type="button" className={buttonStyles.secondary} onClick={onStop} disabled={busy} aria-label={`Stop ${s.label}`}>
          <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className="-ml-0.5 h-4 w-4 text-slate-500">
            <rect x="5" y="5" width="10" height="10" rx="1.5" />
          </svg>
          Stop
        </button>
      ) : (
        <button
          type="button"
          className={s.state === "stopping" || s.state === "deleting" ? buttonStyles.secondary : buttonStyles.primary}
          onClick={onStart}
          disabled={busy || s.state === "stopping" || s.state === "deleting"}
          aria-label={`Start ${s.label}`}
        >
          {busy ? (
            <Spinner />
          ) : (
            <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className="-ml-0.5 h-4 w-4 opacity-90">
              <path d="M6.3 2.84A1.5 1.5 0 0 0 4 4.11v11.78a1.5 1.5 0 0 0 2.3 1.27l9.34-5.89a1.5 1.5 0 0 0 0-2.54L6.3 2.84Z" />
            </svg>
          )}
          {s.state === "failed" ? "Retry" : "Start"}
        </button>
      )}
      {onDelete ? (
        <button
          type="button"
          className={buttonStyles.ghostDanger}
          onClick={onDelete}
          disabled={busy || transitional}
          aria-label={`Delete ${s.label}`}
          title={compact ? `Delete ${s.label} and its files` : undefined}
        >
          <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className={compact ? "h-4 w-4" : "-ml-0.5 h-4 w-4"}>
            <path fillRule="evenodd" clipRule="evenodd" d="M8.75 1A2.75 2.75 0 0 0 6 3.75v.44c-.8.08-1.58.18-2.37.3a.75.75 0 1 0 .23 1.49l.15-.02.98 10.32A2.75 2.75 0 0 0 7.73 19h4.54a2.75 2.75 0 0 0 2.74-2.72l.98-10.32.15.02a.75.75 0 1 0 .23-1.49c-.79-.12-1.58-.22-2.37-.3v-.44A2.75 2.75 0 0 0 11.25 1h-2.5ZM10 4c.84 0 1.67.03 2.5.08v-.33c0-.69-.56-1.25-1.25-1.25h-2.5c-.69 0-1.25.56-1.25 1.25v.33C8.33 4.03 9.16 4 10 4ZM8.58 7.72a.75.75 0 0 0-1.5.06l.3 7.5a.75.75 0 1 0 1.5-.06l-.3-7.5Zm4.34.06a.75.75 0 1 0-1.5-.06l-.3 7.5a.75.75 0 1 0 1.5.06l.3-7.5Z" />
          </svg>
          {/* On a phone the table's rows are stacked with room for the word; in the desktop table it is the icon alone. */}
          <span className={compact ? "lg:sr-only" : undefined}>Delete</span>
        </button>
      ) : null}
    </>
  );
}
