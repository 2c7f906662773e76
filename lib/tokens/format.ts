const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "1 Dec 2026, 03:45 UTC": the same on the server and in every browser (no hydration mismatch). */
export function formatDate(iso: string | null, none = "Never"): string {
  if (!iso) return none;
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

/** "30 days", "1 day", "12 hours": how long a token may last. */
export function formatSpan(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} day${seconds === 86_400 ? "" : "s"}`;
  if (seconds % 3600 === 0) return `${seconds / 3600} hour${seconds === 3600 ? "" : "s"}`;
  if (seconds % 60 === 0) return `${seconds / 60} minute${seconds === 60 ? "" : "s"}`;
  return `${seconds} seconds`;
}

const DAY = 86_400;
const CHOICES = [DAY, 7 * DAY, 30 * DAY, 90 * DAY, 365 * DAY];

/** The expiry choices the form offers: the usual spans up to the operator's maximum (0 = none). */
export function expiryChoices(maxSeconds: number): { seconds: number | null; label: string }[] {
  const within = maxSeconds > 0 ? CHOICES.filter((s) => s <= maxSeconds) : CHOICES;
  const out = within.map((s) => ({ seconds: s as number | null, label: formatSpan(s) }));
  if (maxSeconds > 0 && !within.includes(maxSeconds)) out.push({ seconds: maxSeconds, label: `${formatSpan(maxSeconds)} (the most allowed)` });
  if (maxSeconds === 0) out.push({ seconds: null, label: "Never" });
  return out;
}
