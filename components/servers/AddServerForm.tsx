"use client";

import { useId, useState, type FormEvent } from "react";
import { checkServerName } from "@/lib/policy/server-name";
import { Alert } from "../ui/Alert";
import { buttonStyles } from "../ui/button-styles";

type Profile = { slug: string; displayName: string; description: string; default: boolean };

export function AddServerForm({ profiles, maxLength, atLimit, limitMessage, existing, onCreate }: {
  profiles: Profile[];
  maxLength: number;
  atLimit: boolean;
  limitMessage: string;
  existing: string[];
  onCreate: (name: string, profile: string) => Promise<string | null>;
}) {
  const id = useId();
  const [name, setName] = useState("");
  const [profile, setProfile] = useState(profiles.find((p) => p.default)?.slug ?? profiles[0]?.slug ?? "");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const check = checkServerName(name, maxLength);
  const problem = name === "" ? null : !check.ok ? check.reason : existing.includes(name) ? `You already have a server named "${name}".` : null;

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (!check.ok || problem) return;
    setBusy(true);
    setError(null);
    const err = await onCreate(name, profile);
    setBusy(false);
    if (err) setError(err);
    else setName("");
  }

  return (
    <form onSubmit={onSubmit} className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-5" aria-labelledby={`${id}-title`} noValidate>
      <h2 id={`${id}-title`} className="text-base font-semibold">
        Add a named server
      </h2>
      {atLimit ? (
        <div className="mt-3">
          <Alert tone="warn">{limitMessage}</Alert>
        </div>
      ) : null}
      <div className="mt-3 grid gap-3 sm:grid-cols-[1fr_14rem_auto] sm:items-start">
        <div>
          <label htmlFor={`${id}-name`} className="block text-sm font-medium text-slate-800">
            Server name
          </label>
          <input
            id={`${id}-name`}
            name="name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            placeholder="e.g. analysis"
            aria-invalid={problem ? true : undefined}
            aria-describedby={`${id}-name-help`}
            className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 shadow-sm aria-invalid:border-red-500"
          />
          <p id={`${id}-name-help`} aria-live="polite" className={`mt-1 text-xs ${problem ? "text-red-700" : "text-slate-500"}`}>
            {problem ?? `1–${maxLength} characters: lowercase letters, digits and single hyphens, starting with a letter.`}
          </p>
        </div>
        <div>
          <label htmlFor={`${id}-profile`} className="block text-sm font-medium text-slate-800">
            Profile
          </label>
          <select id={`${id}-profile`} value={profile} onChange={(e) => setProfile(e.target.value)} className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 shadow-sm" aria-describedby={`${id}-profile-help`}>
            {profiles.map((p) => (
              <option key={p.slug} value={p.slug}>
                {p.displayName}
              </option>
            ))}
          </select>
          <p id={`${id}-profile-help`} className="mt-1 text-xs text-slate-500">
            {profiles.find((p) => p.slug === profile)?.description}
          </p>
        </div>
        <button type="submit" disabled={busy || atLimit || !check.ok || Boolean(problem)} className={`${buttonStyles.primary} sm:mt-6`}>
          {busy ? "Adding…" : "Add server"}
        </button>
      </div>
      {error ? (
        <div className="mt-3">
          <Alert tone="error">{error}</Alert>
        </div>
      ) : null}
    </form>
  );
}
