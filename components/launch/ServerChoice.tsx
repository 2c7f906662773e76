"use client";

import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { checkServerName } from "@/lib/policy/server-name";
import { buttonStyles } from "../ui/button-styles";
import { nameRules, ServerNameField } from "../servers/ServerNameField";

export interface PlanServer {
  name: string;
  state: string;
  commit: string | null;
  sameCommit: boolean;
}

const short = (c: string | null) => (c ? c.slice(0, 7) : "an earlier commit");

/**
 * Asked when the person already has a server from this repository on another commit: restart it
 * on the new one (files kept), or launch a fresh server under a new name.
 */
export function ServerChoice({ servers, commit, suggestedName, existing, maxLength, atLimit, limitMessage, onChoose }: {
  servers: PlanServer[];
  commit: string;
  suggestedName: string;
  existing: string[];
  maxLength: number;
  atLimit: boolean;
  limitMessage: string;
  onChoose: (server: string) => void;
}) {
  const id = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const nameRef = useRef<HTMLInputElement>(null);
  const [fresh, setFresh] = useState(false);
  const [name, setName] = useState(suggestedName);
  const check = checkServerName(name, maxLength);
  const problem = !check.ok ? check.reason : existing.includes(name) ? `You already have a server named “${name}”; choose another name.` : null;

  // The question replaces the progress the person was watching: take focus there, so keyboard
  // and screen-reader users land on it.
  useEffect(() => headingRef.current?.focus(), []);
  useEffect(() => {
    if (fresh) nameRef.current?.focus();
  }, [fresh]);

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (problem) {
      nameRef.current?.focus();
      return;
    }
    onChoose(name);
  }

  return (
    <section aria-labelledby={`${id}-title`} aria-describedby={`${id}-desc`} className="overflow-hidden rounded-2xl border border-amber-200 bg-white shadow-card">
      <div className="border-b border-amber-100 bg-amber-50/70 px-4 py-4 sm:px-5">
        <h2 id={`${id}-title`} ref={headingRef} tabIndex={-1} className="text-base font-semibold text-slate-900 outline-none">
          You already have a server from this repository
        </h2>
        <p id={`${id}-desc`} className="mt-1 text-sm text-slate-600">
          {servers.length === 1 ? (
            <>
              <span className="font-medium text-slate-800">{servers[0].name || "My Server"}</span> runs commit <span className="font-mono">{short(servers[0].commit)}</span>; the
              repository is now at <span className="font-mono">{short(commit)}</span>.
            </>
          ) : (
            <>
              Your servers from it run earlier commits; the repository is now at <span className="font-mono">{short(commit)}</span>.
            </>
          )}{" "}
          Choose where to launch the new commit.
        </p>
      </div>
      <div className="grid gap-3 p-4 sm:p-5">
        {servers.map((s) => (
          <button
            key={s.name}
            type="button"
            onClick={() => onChoose(s.name)}
            className="group flex w-full items-start gap-3 rounded-xl border border-slate-200 p-3.5 text-left transition-colors hover:border-brand-600 hover:bg-brand-50/40"
          >
            <span aria-hidden="true" className="mt-0.5 grid h-8 w-8 shrink-0 place-items-center rounded-lg bg-brand-50 text-brand-700 ring-1 ring-inset ring-brand-600/10">
              <svg viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth="1.7" strokeLinecap="round" strokeLinejoin="round" className="h-4 w-4">
                <path d="M16 10a6 6 0 1 1-1.76-4.24M16 3.5v3h-3" />
              </svg>
            </span>
            <span className="min-w-0">
              <span className="block text-sm font-semibold text-slate-900">
                Restart {s.name || "My Server"} on the new commit
              </span>
              <span className="block text-xs text-slate-500">(your files are kept) · now {s.state}, on {short(s.commit)}</span>
            </span>
          </button>
        ))}

        <div className={`rounded-xl border p-3.5 ${fresh ? "border-brand-600 ring-1 ring-brand-600" : "border-slate-200"}`}>
          <button
            type="button"
            aria-expanded={fresh}
            aria-controls={`${id}-fresh`}
            disabled={atLimit}
            onClick={() => setFresh(true)}
            className="flex w-full items-start gap-3 rounded-lg text-left disabled:cursor-not-allowed disabled:opacity-60"
          >
            <span aria-hidden="true" className="mt-0.5 grid h-8 w-8 shrink-0 place-items-center rounded-lg bg-slate-100 text-slate-600 ring-1 ring-inset ring-slate-500/10">
              <svg viewBox="0 0 20 20" fill="currentColor" className="h-4 w-4">
                <path d="M10.75 4.75a.75.75 0 0 0-1.5 0v4.5h-4.5a.75.75 0 0 0 0 1.5h4.5v4.5a.75.75 0 0 0 1.5 0v-4.5h4.5a.75.75 0 0 0 0-1.5h-4.5v-4.5Z" />
              </svg>
            </span>
            <span className="min-w-0">
              <span className="block text-sm font-semibold text-slate-900">Launch a fresh server</span>
              <span className="block text-xs text-slate-500">{atLimit ? limitMessage : "A new named server with a clean copy of the repository."}</span>
            </span>
          </button>
          {fresh ? (
            <form id={`${id}-fresh`} onSubmit={onSubmit} noValidate className="mt-3 grid gap-3 pl-11 sm:grid-cols-[minmax(0,1fr)_auto] sm:items-start">
              <ServerNameField id={`${id}-name`} label="Name of the new server" compact value={name} onChange={setName} problem={problem} ref={nameRef} hint={nameRules(maxLength)} />
              <button type="submit" disabled={Boolean(problem)} className={`${buttonStyles.primary} sm:mt-[1.375rem] sm:h-[2.625rem]`}>
                Launch
              </button>
            </form>
          ) : null}
        </div>
      </div>
    </section>
  );
}
