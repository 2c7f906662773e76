import Link from "next/link";
import { buttonStyles } from "./button-styles";

/**
 * Previous/next links under a list paginated by page number, with where the visitor is
 * ("51–100 of 10,000 · page 2 of 200"). Links, so paging works without JavaScript.
 */
export function PageNav({ label, page, pages, total, shown, pageSize, href }: {
  /** Names the navigation for screen readers ("Pages of users"). */
  label: string;
  page: number;
  pages: number;
  total: number;
  /** Rows on this page. */
  shown: number;
  pageSize: number;
  href: (page: number) => string;
}) {
  if (total === 0) return null;
  const first = (page - 1) * pageSize + 1;
  const fmt = (n: number) => n.toLocaleString("en");
  return (
    <nav aria-label={label} className="flex flex-wrap items-center justify-between gap-3 text-sm text-slate-600">
      <p>
        {shown ? `${fmt(first)}–${fmt(first + shown - 1)} of ${fmt(total)}` : `${fmt(total)} in all`}
        {pages > 1 ? ` · page ${fmt(page)} of ${fmt(pages)}` : null}
      </p>
      {pages > 1 ? (
        <div className="flex gap-2">
          {page > 1 ? (
            <Link className={buttonStyles.secondary} href={href(page - 1)} rel="prev">
              Previous
            </Link>
          ) : (
            <span aria-disabled="true" className={`${buttonStyles.secondary} pointer-events-none opacity-50`}>Previous</span>
          )}
          {page < pages ? (
            <Link className={buttonStyles.secondary} href={href(page + 1)} rel="next">
              Next
            </Link>
          ) : (
            <span aria-disabled="true" className={`${buttonStyles.secondary} pointer-events-none opacity-50`}>Next</span>
          )}
        </div>
      ) : null}
    </nav>
  );
}
