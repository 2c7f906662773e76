const styles: Record<string, string> = {
  running: "bg-emerald-100 text-emerald-800",
  starting: "bg-sky-100 text-sky-800",
  stopping: "bg-amber-100 text-amber-900",
  stopped: "bg-slate-100 text-slate-700",
  failed: "bg-red-100 text-red-800",
};

export function StateBadge({ state }: { state: string }) {
  const busy = state === "starting" || state === "stopping";
  return (
    <span className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium ${styles[state] ?? styles.stopped}`}>
      <span aria-hidden="true" className={`h-1.5 w-1.5 rounded-full bg-current ${busy ? "animate-pulse" : ""}`} />
      {state[0].toUpperCase() + state.slice(1)}
    </span>
  );
}
