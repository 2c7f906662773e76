"use client";

import { useRouter } from "next/navigation";
import { useId, useRef, useState, type FormEvent, type ReactNode } from "react";
import { checkServerName } from "@/lib/policy/server-name";
import { Alert } from "../ui/Alert";
import { inputStyles } from "../ui/Field";
import { ServerTarget, type TargetServer } from "./ServerTarget";
import { SharePanel } from "./SharePanel";
import { useShareLinks, type PathKind } from "./use-share-links";
import { SubmitButton } from "../ui/SubmitButton";
import { UntilHydrated } from "../ui/UntilHydrated";

const PROVIDERS = [
  { id: "", label: "Detect from address" },
  { id: "gh", label: "GitHub" },
  { id: "gl", label: "GitLab" },
  { id: "gist", label: "Gist" },
  { id: "git", label: "Other Git host" },
];

const PATH_KINDS: { id: PathKind; label: string; placeholder: string; hint: string }[] = [
  { id: "labpath", label: "File or notebook", placeholder: "e.g. index.ipynb", hint: "A file in the repository, opened when the server is ready." },
  { id: "urlpath", label: "URL path", placeholder: "e.g. tree/data", hint: "A path on the server, used as given (for example tree, lab or voila/render/app.ipynb)." },
];

export interface LaunchFormProps {
  user: string;
  servers: TargetServer[];
  maxLength: number;
  atLimit: boolean;
  limitMessage: string;
  initial: { repository: string; ref: string; provider: string; path: string; pathKind: PathKind };
  /** Shown under the share panel, beside the form on wide screens (what the repository may contain). */
  aside?: ReactNode;
}

function Hint({ id, error, children }: { id: string; error?: string | null; children: ReactNode }) {
  return (
    <p id={id} className={`flex items-start gap-1.5 text-xs leading-relaxed ${error ? "text-red-700" : "text-slate-500"}`}>
      {error ? (
        <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className="mt-px h-3.5 w-3.5 shrink-0">
          <path fillRule="evenodd" clipRule="evenodd" d="M18 10a8 8 0 1 1-16 0 8 8 0 0 1 16 0Zm-8-5a.75.75 0 0 1 .75.75v4.5a.75.75 0 0 1-1.5 0v-4.5A.75.75 0 0 1 10 5Zm0 10a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z" />
        </svg>
      ) : null}
      <span className="min-w-0 break-words">{error ?? children}</span>
    </p>
  );
}

export function LaunchForm({ user, servers, maxLength, atLimit, limitMessage, initial, aside }: LaunchFormProps) {
  const id = useId();
  const router = useRouter();
  const repoRef = useRef<HTMLInputElement>(null);
  const refRef = useRef<HTMLInputElement>(null);
  const nameRef = useRef<HTMLInputElement>(null);
  const [repository, setRepository] = useState(initial.repository);
  const [ref, setRef] = useState(initial.ref);
  const [provider, setProvider] = useState(initial.provider);
  const [path, setPath] = useState(initial.path);
  const [pathKind, setPathKind] = useState<PathKind>(initial.pathKind);
  const [mode, setMode] = useState<"new" | "existing">(atLimit ? "existing" : "new");
  const [typedName, setTypedName] = useState<string | null>(null);
  const [existingName, setExistingName] = useState(servers[0]?.name ?? "");
  const [busy, setBusy] = useState(false);
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [touched, setTouched] = useState(Boolean(initial.repository));
  // A message about what was submitted goes once the person changes what it was about.
  const edited =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setSubmitError(null);
    };

  const { state, now } = useShareLinks({ repository, ref, provider, path, pathKind });
  const suggested = state.status === "ok" ? state.links.suggestedName : state.status === "loading" ? (state.previous?.suggestedName ?? "") : "";
  // The name follows the repository until the person types one of their own.
  const newName = typedName ?? suggested;
  const problemOf = (name: string) => {
    const check = checkServerName(name, maxLength);
    if (!check.ok) return check.reason;
    return servers.some((s) => s.name === name) ? `You already have a server named “${name}”. Choose “An existing server” to launch into it, or pick another name.` : null;
  };
  const nameProblem = mode !== "new" || newName === "" ? null : problemOf(newName);
  const linkError = state.status === "error" ? state.error : null;
  const repoError = touched && linkError?.field === "repository" ? linkError.message : null;
  const refError = touched && linkError?.field === "ref" ? linkError.message : null;
  const kind = PATH_KINDS.find((k) => k.id === pathKind)!;

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setTouched(true);
    setSubmitError(null);
    if (!repository.trim()) {
      setSubmitError("Enter a repository to launch.");
      repoRef.current?.focus();
      return;
    }
    setBusy(true);
    const r = await now();
    if (!r || "error" in r) {
      setBusy(false);
      (r?.error.field === "ref" ? refRef : repoRef).current?.focus();
      return;
    }
    // A name the person typed asks for that new server. The name Berth suggested asks for nothing:
    // the launch page then opens the person's server already on this repository's commit, reached
    // through whatever ref, and only otherwise makes the new one (or asks, for a new commit).
    const server = mode === "new" ? typedName : existingName;
    const problem = mode === "new" ? problemOf(typedName ?? r.links.suggestedName) : null;
    if (problem) {
      setBusy(false);
      if (typedName === "") setSubmitError("Enter a name for the new server.");
      nameRef.current?.focus();
      return;
    }
    const target = r.links.launchPath;
    // Stay busy: the launch page is loading.
    router.push(server === null ? target : `${target}${target.includes("?") ? "&" : "?"}server=${encodeURIComponent(server)}`);
  }

  return (
    // On a wide screen the share panel sits beside the form, seen without scrolling.
    <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_22rem] lg:items-start lg:gap-8">
      <form onSubmit={onSubmit} noValidate aria-labelledby={`${id}-title`} className="overflow-hidden rounded-2xl border border-slate-200/80 bg-white shadow-card">
        <UntilHydrated>
          <div className="border-b border-slate-100 px-4 py-4 sm:px-5">
            <h2 id={`${id}-title`} className="text-base font-semibold text-slate-900">
              Repository to launch
            </h2>
            <p className="mt-0.5 text-sm text-slate-500">A public Git repository on GitHub, GitLab, a gist, or any other host reachable over https.</p>
          </div>
          <div className="space-y-5 px-4 py-4 sm:px-5 sm:py-5">
            {submitError ? <Alert tone="error">{submitError}</Alert> : null}
            <div className="grid gap-4 sm:grid-cols-[minmax(0,1fr)_13.5rem]">
              <div className="space-y-1.5">
                <label htmlFor={`${id}-repo`} className="block text-sm font-medium text-slate-800">
                  Repository
                </label>
                <input
                  ref={repoRef}
                  id={`${id}-repo`}
                  value={repository}
                  onChange={(e) => {
                    edited(setRepository)(e.target.value);
                    setTouched(true);
                  }}
                  placeholder="https://github.com/owner/repo or owner/repo"
                  autoComplete="off"
                  autoCapitalize="none"
                  spellCheck={false}
                  autoFocus
                  data-autofocus
                  inputMode="url"
                  aria-invalid={repoError ? true : undefined}
                  aria-describedby={`${id}-repo-help`}
                  className={inputStyles}
                />
                <Hint id={`${id}-repo-help`} error={repoError}>
                  owner/repo for GitHub, or the repository&apos;s https:// address (GitLab, gist, any Git host).
                </Hint>
              </div>
              <div className="space-y-1.5">
                <label htmlFor={`${id}-provider`} className="block text-sm font-medium text-slate-800">
                  Host
                </label>
                <select id={`${id}-provider`} value={provider} onChange={(e) => edited(setProvider)(e.target.value)} className={`${inputStyles} pr-9`}>
                  {PROVIDERS.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.label}
                    </option>
                  ))}
                </select>
              </div>
            </div>

            <div className="grid gap-4 sm:grid-cols-2">
              <div className="space-y-1.5">
                <label htmlFor={`${id}-ref`} className="block text-sm font-medium text-slate-800">
                  Git ref <span className="font-normal text-slate-500">(branch, tag or commit)</span>
                </label>
                <input
                  ref={refRef}
                  id={`${id}-ref`}
                  value={ref}
                  onChange={(e) => edited(setRef)(e.target.value)}
                  placeholder="HEAD"
                  autoComplete="off"
                  autoCapitalize="none"
                  spellCheck={false}
                  aria-invalid={refError ? true : undefined}
                  aria-describedby={`${id}-ref-help`}
                  className={inputStyles}
                />
                <Hint id={`${id}-ref-help`} error={refError}>
                  Empty means HEAD, the repository&apos;s default branch.
                </Hint>
              </div>
              <div className="space-y-1.5">
                <label htmlFor={`${id}-path`} className="block text-sm font-medium text-slate-800">
                  Open <span className="font-normal text-slate-500">(optional)</span>
                </label>
                <input
                  id={`${id}-path`}
                  value={path}
                  onChange={(e) => edited(setPath)(e.target.value)}
                  placeholder={kind.placeholder}
                  autoComplete="off"
                  autoCapitalize="none"
                  spellCheck={false}
                  aria-describedby={`${id}-path-help`}
                  className={inputStyles}
                />
                <fieldset className="flex flex-wrap items-center gap-x-4 gap-y-1 pt-0.5">
                  <legend className="sr-only">The path is</legend>
                  {PATH_KINDS.map((k) => (
                    <label key={k.id} className="flex cursor-pointer items-center gap-1.5 text-xs text-slate-700">
                      <input type="radio" name={`${id}-pathkind`} value={k.id} checked={pathKind === k.id} onChange={() => setPathKind(k.id)} className="h-3.5 w-3.5 accent-brand-700" />
                      {k.label}
                    </label>
                  ))}
                </fieldset>
                <Hint id={`${id}-path-help`}>{kind.hint}</Hint>
              </div>
            </div>

            <ServerTarget
              id={id}
              user={user}
              servers={servers}
              maxLength={maxLength}
              mode={mode}
              newName={newName}
              suggested={typedName === null}
              existingName={existingName}
              nameProblem={nameProblem}
              atLimit={atLimit}
              limitMessage={limitMessage}
              nameRef={nameRef}
              onMode={edited(setMode)}
              onNewName={edited(setTypedName)}
              onExisting={edited(setExistingName)}
            />
          </div>
          <div className="flex flex-col-reverse gap-3 border-t border-slate-100 bg-slate-50 px-4 py-3.5 sm:flex-row sm:items-center sm:justify-between sm:px-5">
            <p className="text-xs text-slate-500">The first launch of a commit builds its environment; later launches start at once.</p>
            <SubmitButton busy={busy} busyText="Launching…" className="px-5" icon=<path d="M6.3 2.84A1.5 1.5 0 0 0 4 4.11v11.78a1.5 1.5 0 0 0 2.3 1.27l9.34-5.89a1.5 1.5 0 0 0 0-2.54L6.3 2.84Z" />>
              Launch
            </SubmitButton>
          </div>
        </UntilHydrated>
      </form>
      <div className="space-y-6">
        <SharePanel state={state} idPrefix={id} />
        {aside}
      </div>
    </div>
  );
}
