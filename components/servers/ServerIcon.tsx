const tints: Record<string, string> = {
  running: "bg-emerald-50 text-emerald-600 ring-emerald-600/15",
  starting: "bg-sky-50 text-sky-600 ring-sky-600/15",
  stopping: "bg-amber-50 text-amber-600 ring-amber-600/15",
  deleting: "bg-amber-50 text-amber-600 ring-amber-600/15",
  stopped: "bg-slate-100 text-slate-500 ring-slate-500/10",
  failed: "bg-red-50 text-red-600 ring-red-600/15",
};

// A notebook glyph tinted by the server's state, so a list can be scanned by colour as well as text.
export function ServerIcon({ state, className = "h-10 w-10" }: { state: string; className?: string }) {
  return (
    <span aria-hidden="true" className={`grid shrink-0 place-items-center rounded-xl ring-1 ring-inset ${tints[state] ?? tints.stopped} ${className}`}>
      <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.7" strokeLinecap="round" strokeLinejoin="round" className="h-5 w-5">
        <rect x="4" y="3" width="16" height="18" rx="2.5" />
        <path d="M8 8h8M8 12h8M8 16h5" />
      </svg>
    </span>
  );
}
