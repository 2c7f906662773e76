"use client";

import { useState, type FormEvent } from "react";
import { buttonStyles } from "../../ui/button-styles";
import { inputStyles } from "../../ui/Field";
import { Spinner } from "../../ui/Spinner";
import { callApi, userUrl } from "./users-api";

/**
 * A person's groups, which decide the profiles offered to them. A local account's are edited here
 * (comma-separated); a Jira account's are Jira's, shown as of their last sign-in.
 */
export function UserGroups({ name, source, groups, disabled, onSaved }: {
  name: string;
  source: "jira" | "local";
  groups: string[];
  disabled: boolean;
  onSaved: (message: string) => void;
}) {
  const [text, setText] = useState(groups.join(", "));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const changed = text.split(",").map((g) => g.trim()).filter(Boolean).join(",") !== groups.join(",");

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const next = text.split(",").map((g) => g.trim()).filter(Boolean);
    const r = await callApi<{ groups: string[] }>("PUT", `${userUrl(name)}/groups`, { groups: next });
    setBusy(false);
    if (!r.ok) return setError(r.message);
    setText(r.data.groups.join(", "));
    onSaved(r.data.groups.length ? `“${name}” is now in ${r.data.groups.join(", ")}.` : `“${name}” is in no group now.`);
  }

  if (source === "jira") {
    return (
      <section aria-labelledby="manage-groups">
        <h3 id="manage-groups" className="font-semibold text-slate-900">Groups</h3>
        <p className="mt-1 text-slate-700">{groups.length ? groups.join(", ") : "No groups."}</p>
        <p className="text-slate-500">From Jira, read at each sign-in; change them in Jira. They decide which profiles are offered.</p>
      </section>
    );
  }
  return (
    <form onSubmit={onSubmit} aria-labelledby="manage-groups" className="space-y-1.5">
      <h3 id="manage-groups" className="font-semibold text-slate-900">
        <label htmlFor="manage-groups-input">Groups</label>
      </h3>
      <div className="flex flex-col gap-2 sm:flex-row">
        <input
          id="manage-groups-input"
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="e.g. ml-team, staff"
          aria-describedby="manage-groups-help"
          aria-invalid={error ? true : undefined}
          className={inputStyles}
          disabled={disabled || busy}
        />
        <button type="submit" className={`${buttonStyles.secondary} shrink-0`} disabled={disabled || busy || !changed}>
          {busy ? <Spinner /> : null} Save groups
        </button>
      </div>
      {error ? (
        <p className="text-red-700" role="alert">
          {error}
        </p>
      ) : null}
      <p id="manage-groups-help" className="text-slate-500">
        Comma-separated. Profiles that name groups are offered only to their members.
      </p>
    </form>
  );
}
