import type { InputHTMLAttributes, Ref } from "react";

export const inputStyles =
  "block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-[0.95rem] text-slate-900 shadow-xs transition-colors placeholder:text-slate-400 hover:border-slate-400 focus:border-brand-600 focus:outline-none focus:ring-3 focus:ring-brand-600/20 aria-invalid:border-red-500 aria-invalid:focus:ring-red-500/20 disabled:cursor-not-allowed disabled:bg-slate-50 disabled:text-slate-500";

export function Field({ label, id, hint, error, ref, ...input }: InputHTMLAttributes<HTMLInputElement> & { label: string; id: string; hint?: string; error?: string; ref?: Ref<HTMLInputElement> }) {
  const describedBy = error ? `${id}-error` : hint ? `${id}-hint` : undefined;
  return (
    <div className="space-y-1.5">
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <input ref={ref} id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy} className={inputStyles} {...input} />
      {error ? (
        <p id={`${id}-error`} className="flex items-center gap-1.5 text-sm text-red-700">
          <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className="h-4 w-4 shrink-0">
            <path fillRule="evenodd" clipRule="evenodd" d="M18 10a8 8 0 1 1-16 0 8 8 0 0 1 16 0Zm-8-5a.75.75 0 0 1 .75.75v4.5a.75.75 0 0 1-1.5 0v-4.5A.75.75 0 0 1 10 5Zm0 10a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z" />
          </svg>
          {error}
        </p>
      ) : hint ? (
        <p id={`${id}-hint`} className="text-xs text-slate-500">
          {hint}
        </p>
      ) : null}
    </div>
  );
}
