import type { ReactNode } from "react";

const TONES = {
  brand: "bg-brand-50 text-brand-600 ring-brand-600/10",
  amber: "bg-amber-50 text-amber-600 ring-amber-600/20",
} as const;

/** The rounded square with a line icon that heads an empty state or a question; `children` are the icon's paths (24 × 24). */
export function IconBadge({ tone = "brand", small = false, className = "", children }: { tone?: keyof typeof TONES; small?: boolean; className?: string; children: ReactNode }) {
  return (
    <span aria-hidden="true" className={`grid ${small ? "h-11 w-11" : "h-12 w-12"} place-items-center rounded-2xl ring-1 ring-inset ${TONES[tone]} ${className}`}>
      <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.7" strokeLinecap="round" strokeLinejoin="round" className={small ? "h-5 w-5" : "h-6 w-6"}>
        {children}
      </svg>
    </span>
  );
}
