import Link from "next/link";
import { buttonStyles } from "@/components/ui/button-styles";

/** Newer/older links for a keyset-paginated list (or previous/next for an offset one). */
export function Pager({ label, first, next, firstLabel = "Newest", nextLabel = "Older" }: { label: string; first?: string | null; next?: string | null; firstLabel?: string; nextLabel?: string }) {
  if (!first && !next) return null;
  return (
    <nav aria-label={label} className="mt-3 flex flex-wrap justify-end gap-2">
      {first ? (
        <Link href={first} className={buttonStyles.secondary}>
          ← {firstLabel}
        </Link>
      ) : null}
      {next ? (
        <Link href={next} className={buttonStyles.secondary}>
          {nextLabel} →
        </Link>
      ) : null}
    </nav>
  );
}

/** `path` with `params` as its query, leaving out empty values. */
export function withQuery(path: string, params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
