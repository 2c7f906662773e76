"use client";

import { useId, useRef, useState, type FormEvent } from "react";
import { checkServerName } from "@/lib/policy/server-name";
import { Alert } from "../ui/Alert";
import { inputStyles } from "../ui/Field";
import { nameRules, ServerNameField } from "./ServerNameField";
import { ProfileRequest } from "./ProfileRequest";
import { SubmitButton } from "../ui/SubmitButton";
import { useHydrated } from "../ui/use-hydrated";

type Choice = { key: string; displayName: string; description: string };
type Option = { key: string; displayName: string; default: string; choices: Choice[] };
type Profile = { slug: string; displayName: string; description: string; default: boolean; options: Option[] };

const optionDefaults = (p: Profile | undefined) => Object.fromEntries((p?.options ?? []).map((o) => [o.key, o.default]));

export function AddServerForm({ user, profiles, requestUrl, maxLength, atLimit, limitMessage, existing, onCreate }: {
  user: string;
  /** Only the profiles this person may choose. */
  profiles: Profile[];
  /** BERTH_PROFILE_REQUEST_URL: adds "Need another profile?" */
  requestUrl?: string | null;
  maxLength: number;
  atLimit: boolean;
  limitMessage: string;
  existing: string[];
  onCreate: (name: string, profile: string, options: Record<string, string>) => Promise<string | null>;
}) {
  const id = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [name, setName] = useState("");
  const defaultProfile = profiles.find((p) => p.default)?.slug ?? profiles[0]?.slug ?? "";
  const [profile, setProfile] = useState(defaultProfile);
  const [choices, setChoices] = useState<Record<string, string>>(() => optionDefaults(profiles.find((p) => p.slug === defaultProfile)));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Until React runs the form, a profile picked would be reset by hydration unnoticed.
  const hydrated = useHydrated();
  const check = checkServerName(name, maxLength);
  const problem = name === "" ? null : !check.ok ? check.reason : existing.includes(name) ? `You already have a server named "${name}".` : null;
  const chosen = profiles.find((p) => p.slug === profile);

  // Another profile starts from its own options' defaults.
  function pickProfile(slug: string) {
    setProfile(slug);
    setChoices(optionDefaults(profiles.find((p) => p.slug === slug)));
  }

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (!check.ok || problem || atLimit) return;
    setBusy(true);
    setError(null);
    const err = await onCreate(name, profile, chosen?.options.length ? choices : {});
    setBusy(false);
    if (err) setError(err);
    else {
      // The next server starts from the default again, not from the last choice.
      setName("");
      pickProfile(defaultProfile);
    }
    // Ready for the next one (or to correct this one) without reaching for the mouse.
    inputRef.current?.focus();
  }

  return (
    <form onSubmit={onSubmit} className="overflow-hidden rounded-2xl border border-slate-200/80 bg-white shadow-card" aria-labelledby={`${id}-title`} noValidate>
      <div className="border-b border-slate-100 px-4 py-4 sm:px-5">
        <h2 id={`${id}-title`} className="text-base font-semibold text-slate-900">
          Add a named server
        </h2>
        <p className="mt-0.5 text-sm text-slate-500">Each named server has its own files and runs on its own, next to your default server.</p>
      </div>
      <div className="space-y-4 px-4 py-4 sm:px-5 sm:py-5">
        {error ? <Alert tone="error">{error}</Alert> : atLimit ? <Alert tone="warn">{limitMessage}</Alert> : null}
        <fieldset disabled={atLimit || !hydrated} className="grid gap-4 sm:grid-cols-[minmax(0,1fr)_14rem_auto] sm:items-start">
          <legend className="sr-only">New server</legend>
          <div className="space-y-1.5">
            <ServerNameField id={`${id}-name`} label="Server name" value={name} onChange={setName} problem={problem} ref={inputRef} placeholder="e.g. analysis" hint={nameRules(maxLength)} />
            {name && !problem ? (
              <p className="truncate text-xs text-slate-500">
                Its address: <span className="font-mono text-slate-700">/user/{user}/{name}/</span>
              </p>
            ) : null}
          </div>
          <div className="space-y-1.5">
            <label htmlFor={`${id}-profile`} className="block text-sm font-medium text-slate-800">
              Profile
            </label>
            <select id={`${id}-profile`} value={profile} onChange={(e) => pickProfile(e.target.value)} className={`${inputStyles} pr-9`} aria-describedby={`${id}-profile-help`}>
              {profiles.map((p) => (
                <option key={p.slug} value={p.slug}>
                  {p.displayName}
                </option>
              ))}
            </select>
            <p id={`${id}-profile-help`} className="text-xs text-slate-500">
              {chosen?.description}
            </p>
            {chosen?.options.map((o) => (
              <div key={`${chosen.slug}-${o.key}`} className="space-y-1 pt-1">
                <label htmlFor={`${id}-option-${o.key}`} className="block text-sm font-medium text-slate-800">
                  {o.displayName}
                </label>
                <select id={`${id}-option-${o.key}`} value={choices[o.key] ?? o.default} onChange={(e) => setChoices({ ...choices, [o.key]: e.target.value })} className={`${inputStyles} pr-9`} aria-describedby={`${id}-option-${o.key}-help`}>
                  {o.choices.map((c) => (
                    <option key={c.key} value={c.key}>
                      {c.displayName}
                    </option>
                  ))}
                </select>
                <p id={`${id}-option-${o.key}-help`} className="text-xs text-slate-500">
                  {o.choices.find((c) => c.key === (choices[o.key] ?? o.default))?.description}
                </p>
              </div>
            ))}
          </div>
          <SubmitButton busy={busy} busyText="Adding…" disabled={atLimit || !check.ok || Boolean(problem)} className="sm:mt-[1.625rem] sm:h-[2.625rem]" icon=<path d="M10.75 4.75a.75.75 0 0 0-1.5 0v4.5h-4.5a.75.75 0 0 0 0 1.5h4.5v4.5a.75.75 0 0 0 1.5 0v-4.5h4.5a.75.75 0 0 0 0-1.5h-4.5v-4.5Z" />>
            Add server
          </SubmitButton>
        </fieldset>
        {requestUrl ? <ProfileRequest user={user} template={requestUrl} /> : null}
      </div>
    </form>
  );
}
