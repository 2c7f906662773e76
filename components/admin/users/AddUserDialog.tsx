"use client";

import { useState, type FormEvent } from "react";
import { Alert } from "../../ui/Alert";
import { buttonStyles } from "../../ui/button-styles";
import { Field } from "../../ui/Field";
import { Spinner } from "../../ui/Spinner";
import { Modal } from "./Modal";
import { SecretOnce } from "./SecretOnce";
import { callApi } from "./users-api";

type Added = { name: string; isAdmin: boolean; password?: string };

/** Adds a local account; a generated password is shown here once. */
export function AddUserDialog({ open, onClose, onAdded }: { open: boolean; onClose: () => void; onAdded: (name: string) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [setOwn, setSetOwn] = useState(false);
  const [added, setAdded] = useState<Added | null>(null);

  function close() {
    if (busy) return;
    setError(null);
    setAdded(null);
    setSetOwn(false);
    onClose();
  }

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    const r = await callApi<Added>("POST", "/api/admin/users", {
      name: String(f.get("name") ?? ""),
      displayName: String(f.get("displayName") ?? "") || undefined,
      email: String(f.get("email") ?? "") || undefined,
      isAdmin: f.get("isAdmin") === "on",
      password: setOwn ? String(f.get("password") ?? "") : undefined,
    });
    setBusy(false);
    if (!r.ok) return setError(r.message);
    onAdded(r.data.name);
    if (r.data.password) setAdded(r.data);
    else close();
  }

  return (
    <Modal open={open} onClose={close} labelId="add-user-title" title={added ? `Added “${added.name}”` : "Add a local user"}>
      {added?.password ? (
        <div className="space-y-4">
          <p className="text-sm text-slate-600">
            {added.isAdmin ? "The administrator" : "The user"} “{added.name}” signs in with this password:
          </p>
          <SecretOnce user={added.name} password={added.password} />
          <div className="flex justify-end">
            <button type="button" className={buttonStyles.primary} onClick={close}>
              Done
            </button>
          </div>
        </div>
      ) : (
        <form onSubmit={(e) => void submit(e)} className="space-y-4" noValidate>
          <p className="text-sm text-slate-600">A local account signs in with a Berth password, not with Jira.</p>
          {error ? <Alert tone="error">{error}</Alert> : null}
          <Field id="add-name" name="name" label="Username" required autoComplete="off" autoCapitalize="none" spellCheck={false} hint="Lowercase letters, digits, dots, underscores and hyphens." />
          <Field id="add-display" name="displayName" label="Display name (optional)" autoComplete="off" />
          <Field id="add-email" name="email" type="email" label="Email (optional)" autoComplete="off" />
          <label className="flex items-center gap-2 text-sm text-slate-800">
            <input type="checkbox" name="isAdmin" className="h-4 w-4 rounded border-slate-300 accent-brand-700" />
            Administrator (can use this console)
          </label>
          <fieldset className="space-y-2">
            <legend className="text-sm font-medium text-slate-800">Password</legend>
            <label className="flex items-center gap-2 text-sm text-slate-700">
              <input type="radio" name="pwmode" checked={!setOwn} onChange={() => setSetOwn(false)} className="accent-brand-700" />
              Generate a strong password and show it once
            </label>
            <label className="flex items-center gap-2 text-sm text-slate-700">
              <input type="radio" name="pwmode" checked={setOwn} onChange={() => setSetOwn(true)} className="accent-brand-700" />
              Set one myself
            </label>
            {setOwn ? <Field id="add-password" name="password" type="password" label="New password" autoComplete="new-password" minLength={10} hint="At least 10 characters." /> : null}
          </fieldset>
          <div className="flex flex-col-reverse gap-2 border-t border-slate-100 pt-4 sm:flex-row sm:justify-end">
            <button type="button" className={buttonStyles.secondary} onClick={close} disabled={busy}>
              Cancel
            </button>
            <button type="submit" className={buttonStyles.primary} disabled={busy}>
              {busy ? (
                <>
                  <Spinner /> Adding…
                </>
              ) : (
                "Add user"
              )}
            </button>
          </div>
        </form>
      )}
    </Modal>
  );
}
