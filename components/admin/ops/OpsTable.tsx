import type { ReactNode } from "react";

// A console table that scrolls sideways inside a labelled, focusable region on narrow screens
// (keyboard users can scroll it too), with a caption and column headers.
export function OpsTable({ id, caption, columns, children, empty, minWidth = "44rem" }: { id: string; caption: ReactNode; columns: string[]; children: ReactNode; empty?: ReactNode; minWidth?: string }) {
  return (
    <div role="region" aria-labelledby={`${id}-caption`} tabIndex={0} className="overflow-x-auto rounded-2xl border border-slate-200/80 bg-white shadow-card focus-visible:outline-2 focus-visible:outline-brand-600">
      <table id={id} style={{ minWidth }} className="w-full border-collapse text-left text-sm">
        <caption id={`${id}-caption`} className="sr-only">
          {caption}
        </caption>
        <thead className="border-b border-slate-200 bg-slate-50 text-xs font-semibold uppercase tracking-wide text-slate-500">
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col" className="px-3 py-2.5 whitespace-nowrap first:pl-4 last:pr-4">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">{children}</tbody>
      </table>
      {empty ? <div className="px-4 py-6 text-center text-sm text-slate-500">{empty}</div> : null}
    </div>
  );
}

export const cell = "px-3 py-2.5 align-top first:pl-4 last:pr-4";

/** A time shown the same on the server and in the browser (no hydration mismatch): UTC, to the minute. */
export function utc(iso: string | null | undefined): string {
  if (!iso) return "—";
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

export function duration(seconds: number | null): string {
  if (seconds === null) return "—";
  if (seconds < 60) return `${seconds} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min ${seconds % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function SectionTitle({ id, children, aside }: { id: string; children: ReactNode; aside?: ReactNode }) {
  return (
    <div className="mb-3 flex flex-wrap items-end justify-between gap-2">
      <h2 id={id} className="text-lg font-semibold text-slate-900">
        {children}
      </h2>
      {aside}
    </div>
  );
}

export const linkStyle = "font-medium text-brand-700 underline decoration-brand-300 underline-offset-2 hover:decoration-brand-600";
