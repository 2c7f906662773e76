import { formatDate } from "@/lib/tokens/format";

/** A token's created, expires (or expired) and last-used dates, as items of the caller's <dl>. */
export function TokenDates({ token: t, itemClassName }: { token: { createdAt: string; expiresAt: string | null; lastUsedAt: string | null; expired: boolean }; itemClassName: string }) {
  const items: [string, string | null][] = [
    ["Created", t.createdAt],
    [t.expired ? "Expired" : "Expires", t.expiresAt],
    ["Last used", t.lastUsedAt],
  ];
  return (
    <>
      {items.map(([label, when]) => (
        <div key={label} className={itemClassName}>
          <dt className="text-slate-500">{label}</dt>
          <dd className="text-slate-800">{formatDate(when)}</dd>
        </div>
      ))}
    </>
  );
}
