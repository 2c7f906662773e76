import { createHash, timingSafeEqual } from "node:crypto";

// /metrics is open unless BERTH_METRICS_TOKEN is set; then a scraper sends
// `Authorization: Bearer <token>` (Prometheus: `authorization: { credentials: … }`).

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

/** Whether the Authorization header carries `token`; compared in constant time (of equal-length digests). */
export function metricsAuthorized(authorization: string | null, token: string | undefined): boolean {
  if (!token) return true;
  const m = authorization?.match(/^Bearer[ \t]+(\S+)[ \t]*$/i);
  if (!m) return false;
  return timingSafeEqual(digest(m[1]), digest(token));
}
