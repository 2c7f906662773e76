"use client";

import type { ServersView } from "./use-servers-view";

const OPTIONS: { id: ServersView; label: string; icon: string }[] = [
  { id: "cards", label: "Cards", icon: "M3 4.75A1.75 1.75 0 0 1 4.75 3h10.5A1.75 1.75 0 0 1 17 4.75v3.5A1.75 1.75 0 0 1 15.25 10H4.75A1.75 1.75 0 0 1 3 8.25v-3.5Zm0 8A1.75 1.75 0 0 1 4.75 11h10.5A1.75 1.75 0 0 1 17 12.75v2.5A1.75 1.75 0 0 1 15.25 17H4.75A1.75 1.75 0 0 1 3 15.25v-2.5Z" },
  { id: "table", label: "Table", icon: "M3 4.5A1.5 1.5 0 0 1 4.5 3h11A1.5 1.5 0 0 1 17 4.5v2H3v-2ZM3 8h14v3.25H3V8Zm0 4.75h14v2.75a1.5 1.5 0 0 1-1.5 1.5h-11A1.5 1.5 0 0 1 3 15.5v-2.75Z" },
];

/** Two toggle buttons (aria-pressed) choosing how My servers lists the servers. */
export function ViewToggle({ view, onChange }: { view: ServersView; onChange: (view: ServersView) => void }) {
  return (
    <div role="group" aria-label="Show servers as" className="inline-flex rounded-lg border border-slate-300 bg-white p-0.5 shadow-xs">
      {OPTIONS.map((o) => (
        <button
          key={o.id}
          type="button"
          aria-pressed={view === o.id}
          onClick={() => onChange(o.id)}
          className="inline-flex items-center gap-1.5 rounded-md px-2.5 py-1 text-sm font-medium text-slate-600 transition-colors hover:text-slate-900 aria-pressed:bg-slate-100 aria-pressed:text-slate-900"
        >
          <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className="h-4 w-4 opacity-80">
            <path fillRule="evenodd" clipRule="evenodd" d={o.icon} />
          </svg>
          {o.label}
        </button>
      ))}
    </div>
  );
}
