import type { ReactNode } from "react";
import { buttonStyles } from "./button-styles";
import { Spinner } from "./Spinner";

/** A form's primary button: a spinner and `busyText` while the form works, else its icon (20 × 20 path) and label. */
export function SubmitButton({ busy, busyText, disabled = false, className = "", icon, children }: { busy: boolean; busyText: string; disabled?: boolean; className?: string; icon: ReactNode; children: ReactNode }) {
  return (
    <button type="submit" disabled={busy || disabled} className={`${buttonStyles.primary} ${className}`}>
      {busy ? (
        <>
          <Spinner /> {busyText}
        </>
      ) : (
        <>
          <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className="-ml-0.5 h-4 w-4">
            {icon}
          </svg>
          {children}
        </>
      )}
    </button>
  );
}
