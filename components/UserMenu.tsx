"use client";

import { signOut } from "next-auth/react";
import { useEffect, useRef, useState } from "react";

export function UserMenu({ name, displayName, isAdmin }: { name: string; displayName: string | null; isAdmin: boolean }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        setOpen(false);
        buttonRef.current?.focus();
      }
    };
    const onClick = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("mousedown", onClick);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("mousedown", onClick);
    };
  }, [open]);

  return (
    <div className="relative" ref={ref}>
      <button
        ref={buttonRef}
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen((v) => !v)}
        className="flex items-center gap-2 rounded-full border border-slate-200 py-1 pl-1 pr-3 text-sm hover:bg-slate-50"
      >
        <span aria-hidden="true" className="grid h-7 w-7 place-items-center rounded-full bg-brand-100 font-semibold text-brand-800">
          {(displayName ?? name).slice(0, 1).toUpperCase()}
        </span>
        <span className="max-w-32 truncate">{displayName ?? name}</span>
        <span className="sr-only">: account menu</span>
      </button>
      {open ? (
        <div role="menu" aria-label="Account" className="absolute right-0 z-10 mt-2 w-56 rounded-lg border border-slate-200 bg-white p-1 shadow-lg">
          <p className="px-3 py-2 text-xs text-slate-500">
            Signed in as <span className="font-medium text-slate-700">{name}</span>
            {isAdmin ? <span className="ml-1 rounded bg-amber-100 px-1.5 py-0.5 text-amber-800">admin</span> : null}
          </p>
          <button
            type="button"
            role="menuitem"
            autoFocus
            onClick={() => void signOut({ callbackUrl: "/signin" })}
            className="w-full rounded px-3 py-2 text-left text-sm hover:bg-slate-100"
          >
            Sign out
          </button>
        </div>
      ) : null}
    </div>
  );
}
