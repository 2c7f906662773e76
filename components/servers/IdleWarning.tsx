import { buttonStyles } from "../ui/button-styles";

// Shown for a running server in the last minutes before its idle stop (lib/servers/idle-stop.ts,
// IDLE_WARNING_SECONDS): what will happen, and the one thing that puts it off.
export function IdleWarning({ label, left, busy, onKeepRunning }: { label: string; left: string; busy: boolean; onKeepRunning: () => void }) {
  return (
    <div role="alert" className="mx-4 mb-4 flex flex-wrap items-center justify-between gap-x-3 gap-y-2 rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-900 ring-1 ring-amber-200 ring-inset sm:mx-5">
      <span>
        <strong className="font-semibold">{left === "now" ? "Stopping for inactivity." : `Stops in ${left} without activity.`}</strong> Its files are kept; keep it running if you are still using it.
      </span>
      <button type="button" className={buttonStyles.secondary} onClick={onKeepRunning} disabled={busy} aria-label={`Keep ${label} running`}>
        Keep running
      </button>
    </div>
  );
}
