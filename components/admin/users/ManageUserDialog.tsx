"use client";

import { useEffect, useState } from "react";
import type { UserDetail } from "@/lib/users/describe-user";
import type { UserRow } from "@/lib/users/list-users";
import { formatBytes } from "../../servers/format";
import { Alert } from "../../ui/Alert";
import { buttonStyles } from "../../ui/button-styles";
import { ConfirmDialog } from "../../ui/ConfirmDialog";
import { Spinner } from "../../ui/Spinner";
import { Modal } from "./Modal";
import { SecretOnce } from "./SecretOnce";
import { UserGroups } from "./UserGroups";
import { callApi, userUrl } from "./users-api";

type Confirm = "reset" | "disable" | "delete" | null;
const ACTIVE = new Set(["starting", "running", "stopping", "deleting"]);

const storageText = (s: { storageUsed: number | null; storageLimit: number | null }) =>
  s.storageUsed === null ? "storage unknown" : `${formatBytes(s.storageUsed)}${s.storageLimit ? ` of ${formatBytes(s.storageLimit)}` : ""}`;

/** Everything an administrator can do to one user, each destructive step confirmed by name. */
export function ManageUserDialog({ user, me, jiraAdminGroups, onClose, onChanged }: {
  user: UserRow | null;
  me: string;
  jiraAdminGroups: string[] | null;
  onClose: () => void;
  /** after a change: refresh the list, say what happened (null: say nothing) */
  onChanged: (message: string | null, closed?: boolean) => void;
}) {
  const [detail, setDetail] = useState<UserDetail | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<Confirm>(null);
  const [password, setPassword] = useState<string | null>(null);
  const name = user?.name ?? null;

  useEffect(() => {
    // The parent mounts one dialog per user (key), so state starts empty for each.
    if (!name) return;
    let stale = false;
    void callApi<UserDetail>("GET", userUrl(name)).then((r) => {
      if (stale) return;
      if (r.ok) setDetail(r.data);
      else setLoadError(r.message);
    });
    return () => {
      stale = true;
    };
  }, [name]);

  async function reload() {
    if (!name) return;
    const r = await callApi<UserDetail>("GET", userUrl(name));
    if (r.ok) setDetail(r.data);
  }

  async function act(what: string, fn: () => Promise<{ ok: boolean; message?: string; done?: string; closed?: boolean }>) {
    setBusy(what);
    setError(null);
    const r = await fn();
    setBusy(null);
    setConfirm(null);
    if (!r.ok) return setError(r.message ?? "That did not work. Try again.");
    onChanged(r.done ?? null, r.closed);
    if (!r.closed) await reload();
  }

  const self = name === me;
  const active = detail?.servers.filter((s) => ACTIVE.has(s.state)) ?? [];

  const resetPassword = () =>
    act("reset", async () => {
      const r = await callApi<{ password?: string; sessionsEnded: number }>("POST", `${userUrl(name!)}/password`, {});
      if (!r.ok) return r;
      setPassword(r.data.password ?? null);
      return { ok: true, done: `The password of “${name}” was reset; ${r.data.sessionsEnded} session${r.data.sessionsEnded === 1 ? "" : "s"} ended.` };
    });
  const setAdmin = (on: boolean) =>
    act("admin", async () => {
      const r = await callApi("PUT", `${userUrl(name!)}/admin`, { admin: on });
      return r.ok ? { ok: true, done: on ? `“${name}” is now an administrator.` : `“${name}” is no longer an administrator.` } : r;
    });
  const disable = () =>
    act("disable", async () => {
      const r = await callApi<{ serversStopped: string[] }>("POST", `${userUrl(name!)}/disable`);
      if (!r.ok) return r;
      const stopped = r.data.serversStopped.length ? ` Stopping ${r.data.serversStopped.join(", ")}; storage is kept.` : "";
      return { ok: true, done: `“${name}” is disabled: they cannot sign in and their sessions and tokens no longer work.${stopped}` };
    });
  const enable = () =>
    act("enable", async () => {
      const r = await callApi("POST", `${userUrl(name!)}/enable`);
      return r.ok ? { ok: true, done: `“${name}” is enabled and can sign in again.` } : r;
    });
  const remove = () =>
    act("delete", async () => {
      const r = await callApi<{ servers: string[] }>("DELETE", userUrl(name!));
      if (!r.ok) return r;
      const servers = r.data.servers.length ? ` with ${r.data.servers.join(", ")} and their storage` : "";
      return { ok: true, done: `Deleted “${name}”${servers}.`, closed: true };
    });

  return (
    <>
      <Modal open={user !== null} onClose={() => !busy && onClose()} labelId="manage-user-title" title={user ? `Manage “${user.name}”` : ""} wide>
        {user ? (
          <div className="space-y-5 text-sm">
            <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1.5">
              <dt className="text-slate-500">Display name</dt>
              <dd className="min-w-0 break-words">{user.displayName ?? "—"}</dd>
              <dt className="text-slate-500">Email</dt>
              <dd className="min-w-0 break-words">{user.email ?? "—"}</dd>
              <dt className="text-slate-500">Signs in with</dt>
              <dd>{user.source === "jira" ? "Jira" : "a Berth password (local account)"}</dd>
              <dt className="text-slate-500">Status</dt>
              <dd>{(detail?.disabledAt ?? user.disabledAt) ? <span className="font-medium text-red-700">Disabled</span> : "Can sign in"}</dd>
            </dl>

            {error ? <Alert tone="error">{error}</Alert> : null}
            {password ? <SecretOnce user={user.name} password={password} /> : null}

            {detail ? (
              <UserGroups key={detail.groups.join(",")} name={detail.name} source={detail.source} groups={detail.groups} disabled={busy !== null} onSaved={(m) => void reload().then(() => onChanged(m))} />
            ) : null}

            <section aria-labelledby="manage-servers">
              <h3 id="manage-servers" className="font-semibold text-slate-900">Servers</h3>
              {loadError ? (
                <Alert tone="error">{loadError}</Alert>
              ) : !detail ? (
                <p className="mt-1 flex items-center gap-2 text-slate-500" role="status">
                  <Spinner /> Loading their servers…
                </p>
              ) : detail.servers.length === 0 ? (
                <p className="mt-1 text-slate-500">No servers.</p>
              ) : (
                <ul className="mt-1.5 divide-y divide-slate-100 rounded-lg border border-slate-200">
                  {detail.servers.map((s) => (
                    <li key={s.name} className="flex flex-wrap items-center justify-between gap-x-3 px-3 py-2">
                      <span className="font-medium">{s.label}</span>
                      <span className="text-slate-500">
                        {s.state} · {storageText(s)}
                      </span>
                    </li>
                  ))}
                </ul>
              )}
            </section>

            <section aria-labelledby="manage-actions" className="space-y-4 border-t border-slate-100 pt-4">
              <h3 id="manage-actions" className="sr-only">
                Actions
              </h3>
              <div className="flex flex-col gap-1.5 sm:flex-row sm:items-center sm:justify-between">
                <div>
                  <p className="font-medium text-slate-900">Administrator</p>
                  <p id="admin-help" className="text-slate-500">
                    {user.source === "jira"
                      ? `Comes from their Jira groups at each sign-in${jiraAdminGroups?.length ? ` (JIRA_ADMIN_GROUPS: ${jiraAdminGroups.join(", ")})` : " (JIRA_ADMIN_GROUPS)"}; change it in Jira.`
                      : self && user.isAdmin
                        ? "You cannot remove your own administrator rights; ask another administrator."
                        : "Administrators can use this console."}
                  </p>
                </div>
                <button
                  type="button"
                  role="switch"
                  aria-checked={user.isAdmin}
                  aria-describedby="admin-help"
                  aria-label="Administrator"
                  disabled={user.source === "jira" || (self && user.isAdmin) || busy !== null}
                  onClick={() => void setAdmin(!user.isAdmin)}
                  className={`relative inline-flex h-6 w-11 shrink-0 items-center rounded-full transition-colors disabled:cursor-not-allowed disabled:opacity-50 ${user.isAdmin ? "bg-brand-700" : "bg-slate-300"}`}
                >
                  <span aria-hidden="true" className={`inline-block h-5 w-5 rounded-full bg-white shadow transition-transform ${user.isAdmin ? "translate-x-5.5" : "translate-x-0.5"}`} />
                </button>
              </div>

              <div className="flex flex-wrap gap-2">
                {user.source === "local" ? (
                  <button type="button" className={buttonStyles.secondary} disabled={busy !== null} onClick={() => setConfirm("reset")}>
                    Reset password…
                  </button>
                ) : null}
                {(detail?.disabledAt ?? user.disabledAt) ? (
                  <button type="button" className={buttonStyles.secondary} disabled={busy !== null} onClick={() => void enable()}>
                    {busy === "enable" ? <Spinner /> : null} Enable
                  </button>
                ) : (
                  <button type="button" className={buttonStyles.secondary} disabled={self || busy !== null || !detail} onClick={() => setConfirm("disable")}>
                    Disable…
                  </button>
                )}
                <button type="button" className={buttonStyles.ghostDanger} disabled={self || busy !== null || !detail} onClick={() => setConfirm("delete")}>
                  Delete user…
                </button>
              </div>
              {self ? <p className="text-slate-500">You cannot disable or delete your own account.</p> : null}
              {user.source === "jira" ? <p className="text-slate-500">Their password is Jira&rsquo;s; Berth cannot reset it.</p> : null}
            </section>
          </div>
        ) : null}
      </Modal>

      <ConfirmDialog
        open={confirm !== null}
        busy={busy !== null}
        title={confirm === "reset" ? `Reset the password of “${name}”?` : confirm === "disable" ? `Disable “${name}”?` : `Delete “${name}”?`}
        confirmLabel={confirm === "reset" ? "Reset password" : confirm === "disable" ? "Disable user" : `Delete user${detail?.servers.length ? ` and ${detail.servers.length} server${detail.servers.length === 1 ? "" : "s"}` : ""}`}
        busyLabel={confirm === "reset" ? "Resetting…" : confirm === "disable" ? "Disabling…" : "Deleting…"}
        onCancel={() => setConfirm(null)}
        onConfirm={() => void (confirm === "reset" ? resetPassword() : confirm === "disable" ? disable() : remove())}
      >
        {confirm === "reset" ? (
          <p>A new password is generated and shown to you once. Every session of “{name}” ends: they sign in again with the new password.</p>
        ) : confirm === "disable" ? (
          <>
            <p>They can no longer sign in, their sessions end and their API tokens stop working.</p>
            {active.length ? (
              <p className="mt-2">
                Their running servers stop: <strong>{active.map((s) => s.label).join(", ")}</strong>. Their files are kept.
              </p>
            ) : (
              <p className="mt-2">None of their servers is running. All their files are kept.</p>
            )}
          </>
        ) : (
          <>
            <p>This removes the account, its sessions and tokens{detail?.servers.length ? ", and these servers with all their files:" : ". They have no servers."}</p>
            {detail?.servers.length ? (
              <ul className="mt-2 list-disc space-y-0.5 pl-5">
                {detail.servers.map((s) => (
                  <li key={s.name}>
                    <strong>{s.label}</strong> — {storageText(s)}
                    {ACTIVE.has(s.state) ? " (running: it is stopped first)" : ""}
                  </li>
                ))}
              </ul>
            ) : null}
            <p className="mt-2 font-medium text-slate-800">This cannot be undone.</p>
          </>
        )}
      </ConfirmDialog>
    </>
  );
}
