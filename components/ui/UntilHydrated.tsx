"use client";

import { useEffect, useRef, type ReactNode } from "react";
import { useHydrated } from "./use-hydrated";

/**
 * Wraps a form's contents so that they are disabled until React runs the page (see
 * use-hydrated.ts): typing or choosing before then would be undone by hydration unnoticed. Adds no
 * group for assistive technology (role="presentation") and, by default, no box (display: contents).
 * A disabled field cannot take the focus its autoFocus asks for, so the field marked
 * `data-autofocus` gets it once the form is enabled, unless the person has focused something else.
 */
export function UntilHydrated({ children, className = "contents" }: { children: ReactNode; className?: string }) {
  const hydrated = useHydrated();
  const ref = useRef<HTMLFieldSetElement>(null);
  useEffect(() => {
    if (!hydrated) return;
    const active = document.activeElement;
    if (active && active !== document.body) return;
    ref.current?.querySelector<HTMLElement>("[data-autofocus]")?.focus();
  }, [hydrated]);
  return (
    <fieldset ref={ref} role="presentation" disabled={!hydrated} className={className}>
      {children}
    </fieldset>
  );
}
