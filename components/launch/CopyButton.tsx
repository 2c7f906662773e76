"use client";

import { useEffect, useRef, useState } from "react";
import { buttonStyles } from "../ui/button-styles";

// Clipboard access needs a secure context and a focused page; where it is refused, the old
// select-and-copy command still works in every browser Berth supports.
async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}

/** A Copy button that says "Copied" (visibly, and to screen readers) for a moment afterwards. */
export function CopyButton({ text, label, disabled, className = "" }: { text: string; label: string; disabled?: boolean; className?: string }) {
  const [status, setStatus] = useState<"idle" | "copied" | "failed">("idle");
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  async function onClick() {
    const ok = await copyText(text);
    setStatus(ok ? "copied" : "failed");
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setStatus("idle"), 2500);
  }

  return (
    <span className={`flex shrink-0 items-center gap-2 ${className}`}>
      <span role="status" className={`text-xs font-medium ${status === "failed" ? "text-red-700" : "text-emerald-700"}`}>
        {status === "copied" ? (
          <span className="inline-flex items-center gap-1">
            <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className="h-3.5 w-3.5">
              <path fillRule="evenodd" clipRule="evenodd" d="M16.7 5.3a1 1 0 0 1 0 1.4l-8 8a1 1 0 0 1-1.4 0l-4-4a1 1 0 1 1 1.4-1.4L8 12.58l7.3-7.3a1 1 0 0 1 1.4 0Z" />
            </svg>
            Copied
          </span>
        ) : status === "failed" ? (
          "Select the text and copy it"
        ) : null}
      </span>
      <button type="button" onClick={() => void onClick()} disabled={disabled} aria-label={label} className={`${buttonStyles.secondary} px-3 py-1.5`}>
        <svg aria-hidden="true" viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth="1.6" className="-ml-0.5 h-4 w-4 text-slate-500">
          <rect x="7" y="7" width="10" height="10" rx="2" />
          <path d="M13 7V5a2 2 0 0 0-2-2H5a2 2 0 0 0-2 2v6a2 2 0 0 0 2 2h2" strokeLinecap="round" />
        </svg>
        Copy
      </button>
    </span>
  );
}
