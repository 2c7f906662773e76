const styles: Record<string, string> = {
  built: "bg-emerald-50 text-emerald-700 ring-emerald-600/20",
  failed: "bg-red-50 text-red-700 ring-red-600/20",
  cancelled: "bg-amber-50 text-amber-800 ring-amber-600/20",
  queued: "bg-slate-100 text-slate-600 ring-slate-500/15",
  building: "bg-sky-50 text-sky-700 ring-sky-600/20",
};

export function OutcomeBadge({ outcome }: { outcome: string }) {
  return (
    <span className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${styles[outcome] ?? styles.queued}`}>
      {outcome[0].toUpperCase() + outcome.slice(1)}
    </span>
  );
}
