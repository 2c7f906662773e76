"use client";

import { CopyButton } from "../../launch/CopyButton";
import { Alert } from "../../ui/Alert";

/** A password shown this once: Berth keeps only its hash, so it cannot be shown again. */
export function SecretOnce({ user, password }: { user: string; password: string }) {
  return (
    <div className="space-y-3">
      <Alert tone="warn" title="Shown once">
        Copy it now and pass it on privately. Berth keeps only a hash of it and cannot show it again.
      </Alert>
      <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
        <code aria-label={`New password for ${user}`} data-testid="new-password" className="min-w-0 flex-1 break-all rounded-lg border border-slate-200 bg-slate-50 px-3 py-2 font-mono text-sm text-slate-900 select-all">
          {password}
        </code>
        <CopyButton text={password} label={`Copy the password for ${user}`} />
      </div>
    </div>
  );
}
