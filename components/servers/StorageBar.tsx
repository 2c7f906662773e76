import { storagePercent } from "@/lib/format/storage";
import type { ServerView } from "@/lib/servers/list-servers";

const FILL = { full: "bg-red-500", "almost-full": "bg-amber-500", ok: "bg-brand-500" } as const;

/** How full a server's storage is, coloured by its level (almost full from 90 %, full). */
export function StorageBar({ server: s, className }: { server: ServerView; className: string }) {
  const used = s.storageUsed ?? 0;
  const pct = storagePercent(s.storageUsed, s.storageLimit);
  return (
    <span role="progressbar" aria-label={`Storage used by ${s.label}`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} className={`block overflow-hidden rounded-full bg-slate-200/70 ${className}`}>
      <span data-storage-level={s.storageLevel} className={`block h-full rounded-full ${FILL[s.storageLevel]}`} style={{ width: `${Math.max(pct, used > 0 ? 2 : 0)}%` }} />
    </span>
  );
}
