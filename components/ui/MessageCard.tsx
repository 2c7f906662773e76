import Link from "next/link";
import type { ReactNode } from "react";
import { buttonStyles } from "./button-styles";

const tones = {
  neutral: "bg-slate-100 text-slate-500 ring-slate-500/10",
  danger: "bg-red-50 text-red-600 ring-red-600/15",
};

// A full-page answer that is not a form: not found, not allowed. Says what happened and where to go.
export function MessageCard({ code, title, children, action, secondary, tone = "neutral", icon }: {
  code?: string;
  title: string;
  children: ReactNode;
  action?: { href: string; label: string };
  /** A second way out, shown under the main action (a link). */
  secondary?: ReactNode;
  tone?: keyof typeof tones;
  icon?: ReactNode;
}) {
  return (
    <div className="mx-auto w-full max-w-md pt-4 text-center sm:pt-12">
      <div className="rounded-2xl border border-slate-200/80 bg-white px-6 py-10 shadow-card sm:px-10">
        <span aria-hidden="true" className={`mx-auto grid h-12 w-12 place-items-center rounded-2xl ring-1 ring-inset ${tones[tone]}`}>
          {icon ?? (
            <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" className="h-6 w-6">
              <circle cx="11" cy="11" r="7" />
              <path d="m20 20-3.5-3.5M8.5 11h5" />
            </svg>
          )}
        </span>
        {code ? <p className="mt-4 text-xs font-semibold uppercase tracking-wider text-slate-400">{code}</p> : null}
        <h1 className={`${code ? "mt-1" : "mt-4"} text-xl font-semibold tracking-tight text-slate-900`}>{title}</h1>
        <div className="mt-2 text-sm leading-relaxed text-slate-600">{children}</div>
        {action ? (
          <Link href={action.href} className={`${buttonStyles.primary} mt-6`}>
            {action.label}
          </Link>
        ) : null}
        {secondary ? <div className="mt-4 text-sm">{secondary}</div> : null}
      </div>
    </div>
  );
}

export const lockIcon = (
  <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" className="h-6 w-6">
    <rect x="5" y="10.5" width="14" height="10" rx="2" />
    <path d="M8 10.5V7.5a4 4 0 0 1 8 0v3" />
  </svg>
);
