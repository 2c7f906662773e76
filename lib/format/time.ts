// How times read on the pages: "just now", "in 1 h 5 min", "Servers stop after 1 minute…".
// Plain functions (no React), shared by the dashboard and the operators' console.

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function relativeTime(iso: string | null, now: number): string {
  if (!iso) return "never";
  const diff = Math.round((now - new Date(iso).getTime()) / 1000);
  if (diff < 45) return "just now";
  if (diff < 90) return "a minute ago";
  if (diff < 3600) return `${Math.round(diff / 60)} minutes ago`;
  if (diff < 5400) return "an hour ago";
  if (diff < 86400) return `${Math.round(diff / 3600)} hours ago`;
  return `${Math.round(diff / 86400)} days ago`;
}

/** The time until `iso`: "1 h 5 min", "12 min", "under a minute", or "now" once it has passed; null without one. */
export function timeLeft(iso: string | null, now: number): string | null {
  if (!iso) return null;
  const s = Math.round((new Date(iso).getTime() - now) / 1000);
  if (s <= 0) return "now";
  if (s < 60) return "under a minute";
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : `${m} min`;
}

/** "Idle stop" for a running server: when it will be stopped if nothing happens. */
export function idleStopText(iso: string | null, now: number): string | null {
  const left = timeLeft(iso, now);
  if (left === null) return null;
  // The culler runs every few seconds: past the time, the stop is due rather than late.
  return left === "now" ? "due now, without activity" : `in ${left} without activity`;
}

/** An idle timeout in words: "2 hours", "10 minutes", "1 h 30 min". */
function idleSpan(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return plural(seconds / 3600, "hour", "hours");
  if (seconds >= 3600) return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
  if (seconds >= 60) return plural(Math.round(seconds / 60), "minute", "minutes");
  return plural(seconds, "second", "seconds");
}

/**
 * The idle policy in a sentence, for the dashboard: one timeout, or the range of those that apply
 * to the person's servers and profiles (each profile may set its own; 0 is never).
 */
export function idlePolicyText(seconds: number | number[]): string {
  const all = [...new Set([seconds].flat())];
  if (all.length <= 1) {
    const only = all[0] ?? 0;
    if (only <= 0) return "Servers keep running until you stop them.";
    return `Servers stop after ${idleSpan(only)} without activity; their files are kept.`;
  }
  const stops = all.filter((s) => s > 0).sort((a, b) => a - b);
  const range = stops.length === 1 ? idleSpan(stops[0]) : `${idleSpan(stops[0])} to ${idleSpan(stops[stops.length - 1])}`;
  const never = all.includes(0) ? ", or never" : "";
  return `Servers stop after their profile's time without activity (${range}${never}); their files are kept.`;
}
