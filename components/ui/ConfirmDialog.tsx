"use client";

import { useEffect, useId, useRef, type ReactNode } from "react";
import { buttonStyles } from "./button-styles";
import { Spinner } from "./Spinner";

// Native <dialog>: focus is trapped and restored, Escape cancels, screen readers announce it.
export function ConfirmDialog({ open, title, children, confirmLabel, busyLabel = "Working…", onConfirm, onCancel, busy }: {
  open: boolean;
  busyLabel?: string;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  busy?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  // Unique per dialog: a page may hold several (one per row), and each must name itself.
  const id = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      d.showModal();
      // Start on the safe choice, so a stray Enter does not destroy anything.
      cancelRef.current?.focus();
    }
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-body`}
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onCancel();
      }}
      onClick={(e) => {
        // A click on the backdrop (the dialog element itself, outside its panel) cancels.
        if (e.target === e.currentTarget && !busy) onCancel();
      }}
      className="m-auto w-[min(30rem,calc(100vw-2rem))] overflow-hidden rounded-2xl border border-slate-200 bg-white p-0 text-slate-900 shadow-raised"
    >
      <div className="flex gap-4 p-5 sm:p-6">
        <span aria-hidden="true" className="grid h-10 w-10 shrink-0 place-items-center rounded-full bg-red-50 text-red-600 ring-1 ring-inset ring-red-100">
          <svg viewBox="0 0 20 20" fill="currentColor" className="h-5 w-5">
            <path fillRule="evenodd" clipRule="evenodd" d="M8.49 2.98c.66-1.15 2.36-1.15 3.02 0l6.28 10.92c.66 1.15-.17 2.6-1.5 2.6H3.7c-1.33 0-2.16-1.45-1.5-2.6L8.49 2.98ZM10 6a.75.75 0 0 1 .75.75v3.5a.75.75 0 0 1-1.5 0v-3.5A.75.75 0 0 1 10 6Zm0 9a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z" />
          </svg>
        </span>
        <div className="min-w-0">
          <h2 id={`${id}-title`} className="text-lg font-semibold leading-7 break-words">
            {title}
          </h2>
          <div id={`${id}-body`} className="mt-1.5 text-sm leading-relaxed text-slate-600">
            {children}
          </div>
        </div>
      </div>
      <div className="flex flex-col-reverse gap-2 border-t border-slate-100 bg-slate-50 px-5 py-3.5 sm:flex-row sm:justify-end sm:px-6">
        <button ref={cancelRef} type="button" className={buttonStyles.secondary} onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <button type="button" className={buttonStyles.danger} onClick={onConfirm} disabled={busy}>
          {busy ? (
            <>
              <Spinner /> {busyLabel}
            </>
          ) : (
            confirmLabel
          )}
        </button>
      </div>
    </dialog>
  );
}
