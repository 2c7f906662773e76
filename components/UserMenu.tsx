"use client";

import Link from "next/link";
import { signOut } from "next-auth/react";
import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import { failureOf, fetchJson } from "./ui/fetch-json";

export function UserMenu({ name, displayName, isAdmin }: { name: string; displayName: string | null; isAdmin: boolean }) {
  const [open, setOpen] = useState(false);
  const [signingOut, setSigningOut] = useState(false);
  // "Sign out everywhere" asks first: it also ends sessions on the person's other devices.
  const [confirming, setConfirming] = useState(false);
  const [everywhereError, setEverywhereError] = useState<string | null>(null);
  const ref = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuId = useId();
  const shown = displayName ?? name;

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        setOpen(false);
        setConfirming(false);
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
    <div className="relative shrink-0" ref={ref}>
      <button
        ref={buttonRef}
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => {
          setOpen((v) => !v);
          setConfirming(false);
          setEverywhereError(null);
        }}
        className="flex items-center gap-2 rounded-full border border-slate-200 bg-white py-1 pl-1 pr-2 text-sm font-medium text-slate-700 shadow-xs transition-colors hover:border-slate-300 hover:bg-slate-50 sm:pr-3"
      >
        <span aria-hidden="true" className="grid h-7 w-7 place-items-center rounded-full bg-gradient-to-br from-brand-100 to-brand-200 text-xs font-semibold text-brand-800 ring-1 ring-inset ring-brand-300/40">
          {shown.slice(0, 1).toUpperCase()}
        </span>
        <span className="hidden max-w-32 truncate sm:inline">{shown}</span>
        <span className="sr-only sm:hidden">{shown}</span>
        <span className="sr-only">: account menu</span>
        <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className={`h-4 w-4 text-slate-400 transition-transform ${open ? "rotate-180" : ""}`}>
          <path fillRule="evenodd" d="M5.23 7.21a.75.75 0 0 1 1.06.02L10 11.17l3.71-3.94a.75.75 0 1 1 1.08 1.04l-4.25 4.5a.75.75 0 0 1-1.08 0l-4.25-4.5a.75.75 0 0 1 .02-1.06Z" clipRule="evenodd" />
        </svg>
      </button>
      {open ? (
        <div id={menuId} role="menu" aria-label="Account" className="absolute right-0 z-30 mt-2 w-64 origin-top-right animate-pop-in rounded-xl border border-slate-200 bg-white p-1.5 shadow-raised">
          <div className="flex items-center gap-3 px-2.5 py-2.5">
            <span aria-hidden="true" className="grid h-9 w-9 shrink-0 place-items-center rounded-full bg-gradient-to-br from-brand-100 to-brand-200 text-sm font-semibold text-brand-800">
              {shown.slice(0, 1).toUpperCase()}
            </span>
            <p className="min-w-0 text-xs text-slate-500">
              Signed in as <span className="font-medium text-slate-800">{name}</span>
              {isAdmin ? <span className="ml-1.5 inline-flex rounded-full bg-amber-50 px-1.5 py-px text-[0.7rem] font-medium text-amber-800 ring-1 ring-inset ring-amber-200">admin</span> : null}
              {displayName ? <span className="block truncate text-slate-500">{displayName}</span> : null}
            </p>
          </div>
          <div className="my-1 h-px bg-slate-100" role="none" />
          {confirming ? (
            <div role="group" aria-labelledby={`${menuId}-everywhere`} className="px-2.5 py-2">
              <p id={`${menuId}-everywhere`} className="text-sm text-slate-700">
                Sign out on every browser and device, this one too? Anyone using a copy of your session loses it within seconds. Your servers keep running.
              </p>
              {everywhereError ? (
                <p role="alert" className="mt-2 text-xs text-red-700">
                  {everywhereError}
                </p>
              ) : null}
              <div className="mt-3 flex gap-2">
                <button
                  type="button"
                  autoFocus
                  disabled={signingOut}
                  onClick={() => {
                    setSigningOut(true);
                    setEverywhereError(null);
                    void signOutEverywhere(name).then((problem) => {
                      if (problem) {
                        setEverywhereError(problem);
                        setSigningOut(false);
                      } else void signOut({ callbackUrl: "/signin" });
                    });
                  }}
                  className="rounded-lg bg-red-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-600 disabled:opacity-60"
                >
                  {signingOut ? "Signing out…" : "Sign out everywhere"}
                </button>
                <button
                  type="button"
                  disabled={signingOut}
                  onClick={() => {
                    setConfirming(false);
                    setEverywhereError(null);
                  }}
                  className="rounded-lg border border-slate-200 px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600 disabled:opacity-60"
                >
                  Cancel
                </button>
              </div>
            </div>
          ) : (
            <>
              <MenuLink
                href="/tokens"
                onClick={() => setOpen(false)}
                icon={
                  <>
                    <circle cx="7" cy="12.5" r="3.5" />
                    <path d="m9.5 10 6.5-6.5M13.5 6l2 2M11.8 7.7l1.6 1.6" strokeLinecap="round" strokeLinejoin="round" />
                  </>
                }
              >
                API tokens
              </MenuLink>
              {isAdmin ? (
                // The header's Console link is hidden on phones (no room); this is its place there.
                <MenuLink
                  href="/admin"
                  onClick={() => setOpen(false)}
                  className="sm:hidden"
                  icon={
                    <>
                      <rect x="3" y="3.5" width="14" height="13" rx="1.5" />
                      <path d="M3 7.5h14M7 11h6M7 13.5h4" strokeLinecap="round" />
                    </>
                  }
                >
                  Operators&rsquo; console
                </MenuLink>
              ) : null}
              <div className="my-1 h-px bg-slate-100" role="none" />
              <button
                type="button"
                role="menuitem"
                // Focus starts on the item people come for most (and where it always was).
                autoFocus
                disabled={signingOut}
                onClick={() => {
                  setSigningOut(true);
                  void signOut({ callbackUrl: "/signin" });
                }}
                className="flex w-full items-center gap-2.5 rounded-lg px-2.5 py-2 text-left text-sm text-slate-700 hover:bg-slate-100 hover:text-slate-900 focus-visible:bg-slate-100 disabled:opacity-60"
              >
                <svg aria-hidden="true" viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth="1.6" className="h-4 w-4 text-slate-400">
                  <path d="M8 4H5.5A1.5 1.5 0 0 0 4 5.5v9A1.5 1.5 0 0 0 5.5 16H8M12.5 13.5 16 10l-3.5-3.5M16 10H8" strokeLinecap="round" strokeLinejoin="round" />
                </svg>
                {signingOut ? "Signing out…" : "Sign out"}
              </button>
              <button
                type="button"
                role="menuitem"
                disabled={signingOut}
                onClick={() => setConfirming(true)}
                className="flex w-full items-center gap-2.5 rounded-lg px-2.5 py-2 text-left text-sm text-slate-700 hover:bg-slate-100 hover:text-slate-900 focus-visible:bg-slate-100 disabled:opacity-60"
              >
                <svg aria-hidden="true" viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth="1.6" className="h-4 w-4 text-slate-400">
                  <rect x="2.5" y="4" width="10" height="7.5" rx="1.2" />
                  <path d="M5.5 14.5h4M15 7.5h2.5v8.5H13V14" strokeLinecap="round" strokeLinejoin="round" />
                </svg>
                Sign out everywhere…
              </button>
            </>
          )}
        </div>
      ) : null}
    </div>
  );
}

/** Ends all of the person's sessions; returns what went wrong, or null. */
function signOutEverywhere(name: string): Promise<string | null> {
  return failureOf(fetchJson(`/api/users/${encodeURIComponent(name)}/sessions`, { method: "DELETE" }));
}

/** An item of the account menu that goes to a page; `icon` is the inside of a 20 × 20 line icon. */
function MenuLink({ href, onClick, className = "", icon, children }: { href: string; onClick: () => void; className?: string; icon: ReactNode; children: ReactNode }) {
  return (
    <Link
      href={href}
      role="menuitem"
      onClick={onClick}
      className={`flex w-full items-center gap-2.5 rounded-lg px-2.5 py-2 text-left text-sm text-slate-700 hover:bg-slate-100 hover:text-slate-900 focus-visible:bg-slate-100 ${className}`}
    >
      <svg aria-hidden="true" viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth="1.6" className="h-4 w-4 text-slate-400">
        {icon}
      </svg>
      {children}
    </Link>
  );
}
