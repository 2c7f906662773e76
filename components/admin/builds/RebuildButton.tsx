"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { buttonStyles } from "@/components/ui/button-styles";
import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import { adminPost } from "./adminPost";

export function RebuildButton({ id, repo, commit, runtime }: { id: string; repo: string; commit: string; runtime: string }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  const confirm = async () => {
    setBusy(true);
    try {
      await adminPost(`/api/admin/builds/${id}/rebuild`);
      setNote({ ok: true, text: "Rebuild queued" });
      router.refresh();
    } catch (err) {
      setNote({ ok: false, text: (err as Error).message });
    } finally {
      setBusy(false);
      setOpen(false);
    }
  };
  return (
    <span className="inline-flex flex-col items-start gap-1">
      <button type="button" className={buttonStyles.secondary} onClick={() => setOpen(true)} aria-label={`Rebuild ${repo} at ${commit.slice(0, 7)}`}>
        Rebuild
      </button>
      {note ? (
        <span role={note.ok ? "status" : "alert"} className={`max-w-56 text-xs ${note.ok ? "text-emerald-700" : "text-red-700"}`}>
          {note.text}
        </span>
      ) : null}
      <ConfirmDialog open={open} title={`Rebuild ${repo} at ${commit.slice(0, 7)}?`} confirmLabel="Rebuild" busyLabel="Queueing…" busy={busy} onCancel={() => setOpen(false)} onConfirm={() => void confirm()}>
        Berth builds commit {commit.slice(0, 12)} again although it is built, and the new build replaces the existing {runtime === "kubernetes" ? "image in the registry" : "environment"}.{" "}
        {runtime === "kubernetes"
          ? "Servers running now keep the image they started with."
          : "Servers running on it should be restarted once the rebuild has finished."}{" "}
        It waits its turn in the build queue.
      </ConfirmDialog>
    </span>
  );
}
