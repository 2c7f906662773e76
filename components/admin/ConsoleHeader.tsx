import type { ReactNode } from "react";
import { Spinner } from "../ui/Spinner";

/** A console tab's title, what it shows (read out when it changes), what it is waiting for, and its actions. */
export function ConsoleHeader({ title, summary, working, actions }: { title: string; summary: ReactNode; working?: string | null; actions?: ReactNode }) {
  return (
    <div className="flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{title}</h1>
        <p className="mt-1 text-sm text-slate-600" aria-live="polite">
          {summary}
          {working ? (
            <span className="ml-2 inline-flex items-center gap-1 text-slate-500">
              <Spinner className="h-3.5 w-3.5" /> {working}
            </span>
          ) : null}
        </p>
      </div>
      {actions}
    </div>
  );
}
