"use client";

import { useId, useState } from "react";
import { RepoName } from "../ui/RepoName";
import { Spinner } from "../ui/Spinner";
import { CopyButton } from "./CopyButton";
import type { Links, LinkState } from "./use-share-links";
import { IconBadge } from "../ui/IconBadge";

const boxStyles =
  "block w-full rounded-lg border border-slate-200 bg-slate-50 px-3 py-2 font-mono text-[0.8rem] leading-relaxed text-slate-800 focus:border-brand-600 focus:outline-none focus:ring-3 focus:ring-brand-600/20";

function Row({ id, label, hint, value, rows, disabled }: { id: string; label: string; hint: string; value: string; rows: number; disabled: boolean }) {
  return (
    <div className="space-y-1.5">
      <div className="flex items-end justify-between gap-3">
        <div className="min-w-0">
          <label htmlFor={id} className="block text-sm font-medium text-slate-800">
            {label}
          </label>
          <p id={`${id}-hint`} className="text-xs text-slate-500">
            {hint}
          </p>
        </div>
        <CopyButton text={value} label={`Copy the ${label.toLowerCase()}`} disabled={disabled || !value} />
      </div>
      {/* Read-only but focusable and selectable, so it can be copied by hand too. */}
      <textarea
        id={id}
        readOnly
        value={value}
        rows={rows}
        aria-describedby={`${id}-hint`}
        spellCheck={false}
        onFocus={(e) => e.currentTarget.select()}
        className={`${boxStyles} field-sizing-content resize-none break-all ${disabled ? "opacity-60" : ""}`}
      />
    </div>
  );
}

const FORMATS = [
  { id: "markdown", label: "Markdown", hint: "For a README.md: a “Launch in Berth” button." },
  { id: "rst", label: "reStructuredText", hint: "For a README.rst or Sphinx documentation." },
  { id: "html", label: "HTML", hint: "For a web page or a notebook's Markdown cell." },
] as const;
type Format = (typeof FORMATS)[number]["id"];

function Badge({ idPrefix, links, disabled }: { idPrefix: string; links: Links; disabled: boolean }) {
  const [format, setFormat] = useState<Format>("markdown");
  const name = useId();
  const chosen = FORMATS.find((f) => f.id === format)!;
  return (
    <div className="space-y-2">
      <Row id={`${idPrefix}-badge`} label="README badge" hint={chosen.hint} value={links.badge[format]} rows={3} disabled={disabled} />
      <div className="flex flex-wrap items-center justify-between gap-x-4 gap-y-2">
        <fieldset className="flex flex-wrap gap-1 rounded-lg bg-slate-100 p-0.5 text-xs">
          <legend className="sr-only">Badge markup</legend>
          {FORMATS.map((f) => (
            <label key={f.id} className={`cursor-pointer rounded-md px-2 py-1 focus-within:ring-2 focus-within:ring-brand-600/40 ${format === f.id ? "bg-white font-medium text-slate-900 shadow-sm" : "text-slate-600 hover:text-slate-900"}`}>
              <input type="radio" name={name} value={f.id} checked={format === f.id} onChange={() => setFormat(f.id)} className="sr-only" />
              {f.label}
            </label>
          ))}
        </fieldset>
        {/* What readers of the README will see; it links where the badge will. */}
        <a href={links.badge.target} className="inline-flex items-center gap-2 rounded text-xs text-slate-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-600/40" aria-label="Badge preview: Launch in Berth">
          <span aria-hidden="true">Preview</span>
          {/* eslint-disable-next-line @next/next/no-img-element -- the badge is Berth's own small SVG */}
          <img src={links.badge.image} alt="" width={94} height={20} className="h-5 w-auto" />
        </a>
      </div>
    </div>
  );
}

export function SharePanel({ state, idPrefix }: { state: LinkState; idPrefix: string }) {
  const links: Links | null = state.status === "ok" ? state.links : state.status === "loading" ? state.previous : null;
  const updating = state.status === "loading";
  return (
    <section aria-labelledby={`${idPrefix}-share-title`} aria-busy={updating} className="overflow-hidden rounded-2xl border border-slate-200/80 bg-white shadow-card">
      <div className="flex items-start justify-between gap-3 border-b border-slate-100 px-4 py-4 sm:px-5">
        <div>
          <h2 id={`${idPrefix}-share-title`} className="text-base font-semibold text-slate-900">
            Share this launch
          </h2>
          <p className="mt-0.5 text-sm text-slate-500">Anyone signed in to Berth who opens the link gets the same environment, in a server of their own.</p>
        </div>
        {updating ? (
          <span className="mt-1 flex shrink-0 items-center gap-1.5 text-xs text-slate-500">
            <Spinner className="h-3.5 w-3.5" />
            Updating…
          </span>
        ) : null}
      </div>
      {links ? (
        <div className="space-y-5 px-4 py-4 sm:px-5 sm:py-5">
          <Row id={`${idPrefix}-url`} label="Launch link" hint="Opens the launch page for this repository and ref." value={links.launchUrl} rows={2} disabled={updating} />
          <Badge idPrefix={idPrefix} links={links} disabled={updating} />
          <p className="text-xs text-slate-500">
            Launches{" "}
            <span className="break-words font-medium text-slate-700">
              <RepoName text={links.repo} />
            </span>{" "}
            at <span className="font-mono text-slate-700">{links.ref}</span>. Which server it opens in is not part of the link: each person chooses their own.
          </p>
        </div>
      ) : (
        <div className="flex flex-col items-center px-6 py-8 text-center">
          <IconBadge small>
            <path d="M10 14a4 4 0 0 0 5.66 0l3-3a4 4 0 0 0-5.66-5.66l-1 1" />
            <path d="M14 10a4 4 0 0 0-5.66 0l-3 3a4 4 0 0 0 5.66 5.66l1-1" />
          </IconBadge>
          <p className="mt-3 text-sm font-medium text-slate-900">{state.status === "error" ? "No link yet" : "Nothing to share yet"}</p>
          <p className="mt-1 max-w-sm text-sm text-slate-500">
            {state.status === "error"
              ? "Correct the repository or ref above; the link and badge appear as soon as Berth can read them."
              : "Enter a repository above to get a link you can share and a badge for its README."}
          </p>
        </div>
      )}
    </section>
  );
}
