import type { ReactNode } from "react";

const tones = {
  error: { box: "border-red-200 bg-red-50 text-red-800", icon: "text-red-500", title: "text-red-900" },
  info: { box: "border-sky-200 bg-sky-50 text-sky-900", icon: "text-sky-500", title: "text-sky-950" },
  warn: { box: "border-amber-200 bg-amber-50 text-amber-900", icon: "text-amber-500", title: "text-amber-950" },
  success: { box: "border-emerald-200 bg-emerald-50 text-emerald-900", icon: "text-emerald-500", title: "text-emerald-950" },
};

const icons: Record<keyof typeof tones, ReactNode> = {
  error: <path fillRule="evenodd" clipRule="evenodd" d="M18 10a8 8 0 1 1-16 0 8 8 0 0 1 16 0Zm-8-5a.75.75 0 0 1 .75.75v4.5a.75.75 0 0 1-1.5 0v-4.5A.75.75 0 0 1 10 5Zm0 10a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z" />,
  warn: <path fillRule="evenodd" clipRule="evenodd" d="M8.49 2.98c.66-1.15 2.36-1.15 3.02 0l6.28 10.92c.66 1.15-.17 2.6-1.5 2.6H3.7c-1.33 0-2.16-1.45-1.5-2.6L8.49 2.98ZM10 6a.75.75 0 0 1 .75.75v3.5a.75.75 0 0 1-1.5 0v-3.5A.75.75 0 0 1 10 6Zm0 9a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z" />,
  info: <path fillRule="evenodd" clipRule="evenodd" d="M18 10a8 8 0 1 1-16 0 8 8 0 0 1 16 0Zm-7-4a1 1 0 1 1-2 0 1 1 0 0 1 2 0ZM9 9a.75.75 0 0 0 0 1.5h.25a.25.25 0 0 1 .25.25v2.5c0 .97.78 1.75 1.75 1.75H12a.75.75 0 0 0 0-1.5h-.75a.25.25 0 0 1-.25-.25v-2.5C11 9.78 10.22 9 9.25 9H9Z" />,
  success: <path fillRule="evenodd" clipRule="evenodd" d="M10 18a8 8 0 1 0 0-16 8 8 0 0 0 0 16Zm3.86-9.81a.75.75 0 0 0-1.22-.88l-3.24 4.5-1.63-1.63a.75.75 0 1 0-1.06 1.06l2.25 2.25a.75.75 0 0 0 1.14-.1l3.76-5.2Z" />,
};

export function Alert({ tone, title, children, id }: { tone: keyof typeof tones; title?: ReactNode; children?: ReactNode; id?: string }) {
  const t = tones[tone];
  return (
    <div id={id} role={tone === "error" ? "alert" : "status"} className={`flex gap-3 rounded-lg border px-3.5 py-3 text-sm leading-relaxed ${t.box}`}>
      <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className={`mt-0.5 h-4.5 w-4.5 shrink-0 ${t.icon}`}>
        {icons[tone]}
      </svg>
      <div className="min-w-0 flex-1 break-words">
        {title ? <p className={`font-semibold ${t.title}`}>{title}</p> : null}
        {children ? <div className={title ? "mt-0.5" : undefined}>{children}</div> : null}
      </div>
    </div>
  );
}
