import type { ReactNode } from "react";
import { LogoMark } from "../ui/Logo";

// The frame shared by sign-in and setup: one focused task on a quiet background.
export function AuthCard({ title, subtitle, children, footer }: { title: string; subtitle?: ReactNode; children: ReactNode; footer?: ReactNode }) {
  return (
    <div className="mx-auto w-full max-w-[26rem] pt-4 sm:pt-10">
      <div className="mb-6 flex flex-col items-center text-center">
        <LogoMark className="h-11 w-11" />
        <h1 className="mt-4 text-2xl font-semibold tracking-tight text-slate-900">{title}</h1>
        {subtitle ? <p className="mt-1.5 text-sm text-balance text-slate-600">{subtitle}</p> : null}
      </div>
      <div className="rounded-2xl border border-slate-200/80 bg-white p-6 shadow-card sm:p-8">{children}</div>
      {footer ? <div className="mt-6 text-center text-sm text-slate-500">{footer}</div> : null}
    </div>
  );
}
