"use client";

import { useEffect, useId, useRef, useState } from "react";
import type { Scope } from "@/lib/auth/scopes";
import { expiryChoices, formatSpan } from "@/lib/tokens/format";
import type { TokenInfo } from "@/lib/tokens/tokens";
import { CopyButton } from "../launch/CopyButton";
import { Alert } from "../ui/Alert";
import { buttonStyles } from "../ui/button-styles";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { fetchJson, problemText, unlessGone } from "../ui/fetch-json";
import { inputStyles } from "../ui/Field";
import { Spinner } from "../ui/Spinner";
import { ScopeList } from "./ScopeList";
import { IconBadge } from "../ui/IconBadge";
import { TokenDates } from "./TokenDates";
import { UntilHydrated } from "../ui/UntilHydrated";

export interface ScopeOption {
  scope: Scope;
  description: string;
}

export function TokensManager({ user, initial, scopeOptions, maxAgeSeconds }: { user: string; initial: TokenInfo[]; scopeOptions: ScopeOption[]; maxAgeSeconds: number }) {
  const base = `/api/users/${encodeURIComponent(user)}/tokens`;
  const choices = expiryChoices(maxAgeSeconds);
  const defaultExpiry = choices.find((c) => c.seconds === 30 * 86_400) ?? choices[choices.length - 1];
  const [tokens, setTokens] = useState(initial);
  const [note, setNote] = useState("");
  const [expiry, setExpiry] = useState(String(defaultExpiry.seconds));
  const [scopes, setScopes] = useState<Set<Scope>>(() => new Set(["read:servers"]));
  const [creating, setCreating] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ token: string; info: TokenInfo } | null>(null);
  const [toRevoke, setToRevoke] = useState<TokenInfo | null>(null);
  const [revoking, setRevoking] = useState(false);
  const [listError, setListError] = useState<string | null>(null);
  const createdRef = useRef<HTMLDivElement>(null);
  const ids = useId();

  useEffect(() => {
    if (created) createdRef.current?.focus();
  }, [created]);

  async function refresh() {
    // A failed refresh leaves the list as shown; the next change refreshes it again.
    const next = await fetchJson<{ tokens: TokenInfo[] }>(base).catch(() => null);
    if (next) setTokens(next.tokens);
  }

  async function create(e: React.FormEvent) {
    e.preventDefault();
    if (scopes.size === 0) {
      setFormError("Choose at least one scope: a token without any can do nothing.");
      return;
    }
    setCreating(true);
    setFormError(null);
    setCreated(null);
    try {
      const body = { note: note.trim() || undefined, expiresInSeconds: expiry === "null" ? null : Number(expiry), scopes: [...scopes] };
      const { token, ...info } = await fetchJson<TokenInfo & { token: string }>(base, { method: "POST", body });
      setCreated({ token, info });
      setNote("");
      await refresh();
    } catch (err) {
      setFormError(problemText(err));
    } finally {
      setCreating(false);
    }
  }

  async function revoke() {
    if (!toRevoke) return;
    setRevoking(true);
    setListError(null);
    try {
      await fetchJson(`${base}/${encodeURIComponent(toRevoke.id)}`, { method: "DELETE" }).catch(unlessGone);
      if (created?.info.id === toRevoke.id) setCreated(null);
    } catch (err) {
      setListError(problemText(err));
    } finally {
      setRevoking(false);
      setToRevoke(null);
    }
    await refresh();
  }

  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900 sm:text-3xl">API tokens</h1>
        <p className="mt-1.5 max-w-2xl text-sm text-slate-600">
          A token lets a script or tool act as you through Berth&rsquo;s API, the JupyterHub API (<code className="font-mono text-[0.8rem]">/hub/api</code>) and
          BinderHub launches, with only the scopes you give it. Send it as <code className="whitespace-nowrap font-mono text-[0.8rem]">Authorization: token &lt;token&gt;</code>.
        </p>
      </div>

      {created ? (
        <div ref={createdRef} tabIndex={-1} className="space-y-3 rounded-2xl border border-emerald-200 bg-emerald-50/60 p-4 outline-none focus-visible:ring-2 focus-visible:ring-emerald-500 sm:p-5" data-testid="new-token">
          <Alert tone="success" title="Token created. Copy it now: you will not see it again.">
            Berth keeps only a fingerprint of it. If you lose it, revoke it and create another.
          </Alert>
          <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
            <label htmlFor={`${ids}-token`} className="sr-only">
              Your new token
            </label>
            <input id={`${ids}-token`} readOnly value={created.token} onFocus={(e) => e.currentTarget.select()} className={`${inputStyles} font-mono text-sm`} />
            <CopyButton text={created.token} label="Copy the token" />
          </div>
          <div className="flex justify-end">
            <button type="button" className={buttonStyles.secondary} onClick={() => setCreated(null)}>
              I have copied it
            </button>
          </div>
        </div>
      ) : null}

      <section aria-labelledby={`${ids}-new`} className="rounded-2xl border border-slate-200/80 bg-white p-4 shadow-card sm:p-6">
        <h2 id={`${ids}-new`} className="text-lg font-semibold text-slate-900">
          New token
        </h2>
        <form onSubmit={(e) => void create(e)} className="mt-4" noValidate>
          <UntilHydrated className="min-w-0 space-y-5">
            <div className="grid gap-4 sm:grid-cols-2">
              <div className="space-y-1.5">
                <label htmlFor={`${ids}-note`} className="block text-sm font-medium text-slate-800">
                  Note
                </label>
                <input id={`${ids}-note`} value={note} maxLength={200} onChange={(e) => setNote(e.target.value)} placeholder="What is it for? e.g. nightly report script" aria-describedby={`${ids}-note-hint`} className={inputStyles} />
                <p id={`${ids}-note-hint`} className="text-xs text-slate-500">
                  Helps you recognise it later. Optional.
                </p>
              </div>
              <div className="space-y-1.5">
                <label htmlFor={`${ids}-expiry`} className="block text-sm font-medium text-slate-800">
                  Expires after
                </label>
                <select id={`${ids}-expiry`} value={expiry} onChange={(e) => setExpiry(e.target.value)} aria-describedby={`${ids}-expiry-hint`} className={inputStyles}>
                  {choices.map((c) => (
                    <option key={String(c.seconds)} value={String(c.seconds)}>
                      {c.label}
                    </option>
                  ))}
                </select>
                <p id={`${ids}-expiry-hint`} className="text-xs text-slate-500">
                  {maxAgeSeconds > 0 ? `Tokens last at most ${formatSpan(maxAgeSeconds)} here (set by the operator).` : "The operator allows tokens that never expire."}
                </p>
              </div>
            </div>
            <fieldset>
              <legend className="text-sm font-medium text-slate-800">Scopes: what the token may do</legend>
              <div className="mt-2 grid gap-2 sm:grid-cols-2">
                {scopeOptions.map((o) => {
                  const id = `${ids}-scope-${o.scope}`;
                  return (
                    <label key={o.scope} htmlFor={id} className="flex cursor-pointer gap-3 rounded-xl border border-slate-200 p-3 transition-colors hover:border-slate-300 has-[:checked]:border-brand-300 has-[:checked]:bg-brand-50/50">
                      <input
                        id={id}
                        type="checkbox"
                        checked={scopes.has(o.scope)}
                        onChange={(e) => {
                          const next = new Set(scopes);
                          if (e.target.checked) next.add(o.scope);
                          else next.delete(o.scope);
                          setScopes(next);
                        }}
                        aria-describedby={`${id}-desc`}
                        className="mt-0.5 h-4 w-4 shrink-0 accent-brand-700"
                      />
                      <span className="min-w-0">
                        <span className="block font-mono text-sm font-medium text-slate-900">{o.scope}</span>
                        <span id={`${id}-desc`} className="block text-xs text-slate-600">
                          {o.description}
                        </span>
                      </span>
                    </label>
                  );
                })}
              </div>
            </fieldset>
            {formError ? <Alert tone="error">{formError}</Alert> : null}
            <div className="flex justify-end">
              <button type="submit" className={buttonStyles.primary} disabled={creating}>
                {creating ? (
                  <>
                    <Spinner /> Creating…
                  </>
                ) : (
                  "Create token"
                )}
              </button>
            </div>
          </UntilHydrated>
        </form>
      </section>

      <section aria-labelledby={`${ids}-list`} className="space-y-3">
        <h2 id={`${ids}-list`} className="text-xs font-semibold uppercase tracking-wider text-slate-500">
          Your tokens
        </h2>
        {listError ? <Alert tone="error">{listError}</Alert> : null}
        {tokens.length === 0 ? (
          <div className="flex flex-col items-center rounded-2xl border border-dashed border-slate-300 bg-white/60 px-6 py-10 text-center">
            <IconBadge>
              <circle cx="8" cy="15" r="4" />
              <path d="m10.8 12.2 8.2-8.2M16 7l2.5 2.5M14 9l2 2" />
            </IconBadge>
            <p className="mt-3 font-medium text-slate-900">No tokens yet</p>
            <p className="mt-1 max-w-sm text-sm text-slate-600">Create one above when a script or tool needs to reach Berth as you.</p>
          </div>
        ) : (
          <ul className="space-y-3">
            {tokens.map((t) => (
              <li key={t.id} aria-labelledby={`token-${t.id}`} data-token={t.prefix} className="rounded-2xl border border-slate-200/80 bg-white p-4 shadow-card sm:p-5">
                <div className="flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
                  <div className="min-w-0">
                    <h3 id={`token-${t.id}`} className="flex flex-wrap items-center gap-2 text-base font-semibold text-slate-900">
                      <span className="break-words">{t.note || "Token without a note"}</span>
                      {t.expired ? <span className="rounded-full bg-red-50 px-2 py-0.5 text-xs font-medium text-red-700 ring-1 ring-inset ring-red-200">expired</span> : null}
                    </h3>
                    <p className="mt-0.5 text-sm text-slate-500">
                      <code className="font-mono text-[0.8rem]">{t.prefix}…</code>
                      {t.createdBy ? <> · created by {t.createdBy}</> : null}
                    </p>
                    <ScopeList scopes={t.scopes} className="mt-2" />
                  </div>
                  <button type="button" className={`${buttonStyles.ghostDanger} self-start`} onClick={() => setToRevoke(t)} aria-label={`Revoke ${t.note ? `the token "${t.note}"` : `token ${t.prefix}`}`}>
                    Revoke
                  </button>
                </div>
                <dl className="mt-3 grid grid-cols-1 gap-x-6 gap-y-1 border-t border-slate-100 pt-3 text-sm sm:grid-cols-3">
                  <TokenDates token={t} itemClassName="flex gap-2 sm:block" />
                </dl>
              </li>
            ))}
          </ul>
        )}
      </section>

      <ConfirmDialog
        open={toRevoke !== null}
        title={`Revoke ${toRevoke?.note ? `"${toRevoke.note}"` : `token ${toRevoke?.prefix ?? ""}…`}?`}
        confirmLabel="Revoke token"
        busyLabel="Revoking…"
        busy={revoking}
        onConfirm={() => void revoke()}
        onCancel={() => setToRevoke(null)}
      >
        Anything using this token (<code className="font-mono">{toRevoke?.prefix}…</code>) stops working at once and cannot get it back. Your servers and files are not touched.
      </ConfirmDialog>
    </div>
  );
}
