"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { buttonStyles } from "../ui/button-styles";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { fetchJson, problemText, unlessGone } from "../ui/fetch-json";

/** The console's per-row Revoke: asks first, naming whose token and what stops working. */
export function RevokeTokenButton({ owner, id, prefix, note }: { owner: string; id: string; prefix: string; note: string }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const name = note ? `"${note}"` : `${prefix}…`;

  async function revoke() {
    setBusy(true);
    setError(null);
    try {
      await fetchJson(`/api/users/${encodeURIComponent(owner)}/tokens/${encodeURIComponent(id)}`, { method: "DELETE" }).catch(unlessGone);
      setOpen(false);
      router.refresh();
    } catch (err) {
      setError(problemText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <button type="button" className={`${buttonStyles.ghostDanger} px-2.5 py-1.5`} onClick={() => setOpen(true)} aria-label={`Revoke ${owner}'s token ${name}`}>
        Revoke
      </button>
      <ConfirmDialog open={open} title={`Revoke ${owner}'s token ${name}?`} confirmLabel="Revoke token" busyLabel="Revoking…" busy={busy} onConfirm={() => void revoke()} onCancel={() => setOpen(false)}>
        <p>
          Every script or tool using <code className="font-mono">{prefix}…</code> as {owner} stops working at once; {owner} would have to create a new token. Their servers and files are not
          touched.
        </p>
        {error ? (
          <p role="alert" className="mt-2 text-red-700">
            {error}
          </p>
        ) : null}
      </ConfirmDialog>
    </>
  );
}
