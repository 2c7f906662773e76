"use client";

import type { Ref } from "react";
import { nameRules, ServerNameField } from "../servers/ServerNameField";
import { inputStyles } from "../ui/Field";

export interface TargetServer {
  name: string;
  label: string;
  state: string;
}

export type Target = { mode: "new"; name: string } | { mode: "existing"; name: string };

const optionStyles =
  "block cursor-pointer rounded-xl border border-slate-200 bg-white p-3.5 transition-colors hover:border-slate-300 has-checked:border-brand-600 has-checked:bg-brand-50/40 has-checked:ring-1 has-checked:ring-brand-600 has-disabled:cursor-not-allowed has-disabled:opacity-60";

/** Where the launch goes: a new named server (name prefilled, checked as you type) or one the person has. */
export function ServerTarget({ id, user, servers, maxLength, newName, suggested, existingName, mode, nameProblem, atLimit, limitMessage, nameRef, onMode, onNewName, onExisting }: {
  id: string;
  /** The new name is Berth's suggestion, not typed: a server already on the commit opens instead. */
  suggested?: boolean;
  user: string;
  servers: TargetServer[];
  maxLength: number;
  newName: string;
  existingName: string;
  mode: Target["mode"];
  nameProblem: string | null;
  atLimit: boolean;
  limitMessage: string;
  nameRef?: Ref<HTMLInputElement>;
  onMode: (mode: Target["mode"]) => void;
  onNewName: (name: string) => void;
  onExisting: (name: string) => void;
}) {
  return (
    <fieldset className="space-y-3">
      <legend className="text-sm font-medium text-slate-800">Launch into</legend>
      <div className="grid gap-3">
        <div className={optionStyles}>
          <label className="flex cursor-pointer items-start gap-2.5">
            <input type="radio" name={`${id}-target`} value="new" checked={mode === "new"} disabled={atLimit} onChange={() => onMode("new")} className="mt-0.5 h-4 w-4 accent-brand-700" />
            <span>
              <span className="block text-sm font-medium text-slate-900">A new named server</span>
              <span className="block text-xs text-slate-500">
                With its own files, next to the servers you have.{suggested ? " If one of yours already runs this commit, that one opens instead." : null}
              </span>
            </span>
          </label>
          {mode === "new" ? (
            <div className="mt-3 max-w-md pl-6.5">
              <ServerNameField
                id={`${id}-name`}
                label="Server name"
                compact
                value={newName}
                onChange={onNewName}
                problem={nameProblem}
                ref={nameRef}
                hint={
                  newName ? (
                    <>
                      Its address: <span className="break-all font-mono text-slate-700">/user/{user}/{newName}/</span>
                    </>
                  ) : (
                    nameRules(maxLength)
                  )
                }
              />
            </div>
          ) : null}
          {atLimit ? <p className="mt-2 pl-6.5 text-xs text-amber-800">{limitMessage}</p> : null}
        </div>

        <div className={optionStyles}>
          <label className="flex cursor-pointer items-start gap-2.5">
            <input type="radio" name={`${id}-target`} value="existing" checked={mode === "existing"} onChange={() => onMode("existing")} className="mt-0.5 h-4 w-4 accent-brand-700" />
            <span>
              <span className="block text-sm font-medium text-slate-900">An existing server</span>
              <span className="block text-xs text-slate-500">Restarted on this repository&apos;s build; its files are kept.</span>
            </span>
          </label>
          {mode === "existing" ? (
            <div className="mt-3 max-w-md space-y-1.5 pl-6.5">
              <label htmlFor={`${id}-existing`} className="block text-xs font-medium text-slate-700">
                Server
              </label>
              <select id={`${id}-existing`} value={existingName} onChange={(e) => onExisting(e.target.value)} className={`${inputStyles} pr-9`}>
                {servers.map((s) => (
                  <option key={s.name} value={s.name}>
                    {s.label} — {s.state}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
        </div>
      </div>
    </fieldset>
  );
}
