const styles: Record<string, { pill: string; dot: string }> = {
  running: { pill: "bg-emerald-50 text-emerald-700 ring-emerald-600/20", dot: "bg-emerald-500" },
  starting: { pill: "bg-sky-50 text-sky-700 ring-sky-600/20", dot: "bg-sky-500" },
  stopping: { pill: "bg-amber-50 text-amber-800 ring-amber-600/20", dot: "bg-amber-500" },
  deleting: { pill: "bg-amber-50 text-amber-800 ring-amber-600/20", dot: "bg-amber-500" },
  stopped: { pill: "bg-slate-100 text-slate-600 ring-slate-500/15", dot: "bg-slate-400" },
  failed: { pill: "bg-red-50 text-red-700 ring-red-600/20", dot: "bg-red-500" },
};

export function StateBadge({ state }: { state: string }) {
  const busy = state === "starting" || state === "stopping" || state === "deleting";
  const s = styles[state] ?? styles.stopped;
  return (
    <span className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${s.pill}`}>
      <span aria-hidden="true" className="relative flex h-1.5 w-1.5">
        {state === "running" || busy ? <span className={`absolute inline-flex h-full w-full animate-ping rounded-full opacity-60 ${s.dot}`} /> : null}
        <span className={`relative inline-flex h-1.5 w-1.5 rounded-full ${s.dot}`} />
      </span>
      {state[0].toUpperCase() + state.slice(1)}
    </span>
  );
}
