"use client";

import { useState } from "react";
import { buttonStyles } from "@/components/ui/button-styles";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { adminPost } from "./adminPost";

export function CancelBuildButton({ id, repo, commit, running, onDone, onError }: { id: string; repo: string; commit: string; running: boolean; onDone: () => void; onError: (m: string) => void }) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const confirm = async () => {
    setBusy(true);
    try {
      await adminPost(`/api/admin/builds/${id}/cancel`);
      onDone();
    } catch (err) {
      onError((err as Error).message);
    } finally {
      setBusy(false);
      setOpen(false);
    }
  };
  return (
    <>
      <button type="button" className={buttonStyles.ghostDanger} onClick={() => setOpen(true)} aria-label={`Cancel the build of ${repo} at ${commit.slice(0, 7)}`}>
        Cancel build
      </button>
      <ConfirmDialog open={open} title={`Cancel the build of ${repo}?`} confirmLabel="Yes, cancel the build" busyLabel="Cancelling…" busy={busy} onCancel={() => setOpen(false)} onConfirm={() => void confirm()}>
        {running
          ? `The build of commit ${commit.slice(0, 12)} stops now, and what it has built so far is thrown away.`
          : `Commit ${commit.slice(0, 12)} leaves the queue without being built.`}{" "}
        Everyone waiting on its launch page is told an administrator cancelled it; they can launch again later.
      </ConfirmDialog>
    </>
  );
}
