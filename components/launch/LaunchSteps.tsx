import { PHASE_LABELS, PHASES, type Phase } from "./launch-stream";

type StepState = "done" | "skipped" | "current" | "failed" | "upcoming";

const dot: Record<StepState, string> = {
  done: "bg-brand-600 text-white ring-brand-600",
  skipped: "bg-white text-brand-600 ring-brand-300",
  current: "bg-white text-brand-700 ring-brand-600 ring-2",
  failed: "bg-red-600 text-white ring-red-600",
  upcoming: "bg-white text-slate-400 ring-slate-300",
};

const SR: Record<StepState, string> = { done: "done", skipped: "not needed", current: "in progress", failed: "failed", upcoming: "not started" };

function Icon({ state, index }: { state: StepState; index: number }) {
  if (state === "done") {
    return (
      <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className="h-3.5 w-3.5">
        <path fillRule="evenodd" clipRule="evenodd" d="M16.7 5.3a1 1 0 0 1 0 1.4l-8 8a1 1 0 0 1-1.4 0l-4-4a1 1 0 1 1 1.4-1.4L8 12.58l7.3-7.3a1 1 0 0 1 1.4 0Z" />
      </svg>
    );
  }
  if (state === "failed") {
    return (
      <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className="h-3.5 w-3.5">
        <path d="M6.28 5.22a.75.75 0 0 0-1.06 1.06L8.94 10l-3.72 3.72a.75.75 0 1 0 1.06 1.06L10 11.06l3.72 3.72a.75.75 0 1 0 1.06-1.06L11.06 10l3.72-3.72a.75.75 0 0 0-1.06-1.06L10 8.94 6.28 5.22Z" />
      </svg>
    );
  }
  if (state === "skipped") return <span aria-hidden="true">–</span>;
  if (state === "current") return <span aria-hidden="true" className="h-2 w-2 animate-pulse rounded-full bg-brand-600" />;
  return <span aria-hidden="true">{index + 1}</span>;
}

/**
 * Waiting → Fetching → Building → Built → Launching → Ready. `seen` holds the phases that
 * happened: a phase passed without being seen (Building, on a cache hit) shows as not needed.
 */
export function LaunchSteps({ phase, seen, failed }: { phase: Phase | null; seen: ReadonlySet<Phase>; failed: boolean }) {
  const at = phase ? PHASES.indexOf(phase) : -1;
  const stateOf = (p: Phase, i: number): StepState => {
    if (i < at) return seen.has(p) ? "done" : "skipped";
    if (i === at) return failed ? "failed" : p === "ready" ? "done" : "current";
    return "upcoming";
  };
  return (
    <ol aria-label="Launch progress" className="grid grid-cols-3 gap-x-2 gap-y-4 sm:grid-cols-6">
      {PHASES.map((p, i) => {
        const s = stateOf(p, i);
        return (
          <li key={p} aria-current={i === at ? "step" : undefined} data-phase={p} data-state={s} className="relative flex flex-col items-center gap-1.5 text-center">
            {i > 0 ? (
              <span aria-hidden="true" className={`absolute right-1/2 top-3.5 -z-0 mr-4 hidden h-0.5 w-[calc(100%-2rem)] sm:block ${i <= at ? "bg-brand-500" : "bg-slate-200"}`} />
            ) : null}
            <span className={`relative grid h-7 w-7 place-items-center rounded-full text-xs font-semibold ring-1 ring-inset ${dot[s]}`}>
              <Icon state={s} index={i} />
            </span>
            <span className={`text-xs font-medium ${s === "upcoming" ? "text-slate-400" : s === "failed" ? "text-red-700" : "text-slate-700"}`}>
              {PHASE_LABELS[p]}
              <span className="sr-only">: {SR[s]}</span>
            </span>
          </li>
        );
      })}
    </ol>
  );
}
