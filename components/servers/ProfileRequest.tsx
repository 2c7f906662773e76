"use client";

import { useId, useState } from "react";
import { profileRequestLink, takesSummary } from "@/lib/policy/profile-request";

/**
 * "Need another profile?": the operator's request form (BERTH_PROFILE_REQUEST_URL), opened in a
 * new tab with the person's name and what they typed filled in where the address takes them.
 */
export function ProfileRequest({ user, template }: { user: string; template: string }) {
  const id = useId();
  const [summary, setSummary] = useState("");
  const linkClass = "font-medium text-brand-700 underline decoration-brand-300 underline-offset-2 hover:decoration-brand-600";
  if (!takesSummary(template)) {
    return (
      <p className="text-sm text-slate-600">
        <a href={profileRequestLink(template, user, "")} target="_blank" rel="noopener noreferrer" className={linkClass}>
          Need another profile?
        </a>{" "}
        Ask for one; it opens your organisation&rsquo;s request form in a new tab.
      </p>
    );
  }
  return (
    <details className="group text-sm text-slate-600" data-profile-request>
      <summary className={`cursor-pointer rounded ${linkClass} focus:outline-none focus-visible:ring-3 focus-visible:ring-brand-600/30`}>Need another profile?</summary>
      <div className="mt-2 space-y-2 rounded-xl border border-slate-200 bg-slate-50/60 p-3">
        <label htmlFor={`${id}-summary`} className="block font-medium text-slate-800">
          What do you need?
        </label>
        <input
          id={`${id}-summary`}
          value={summary}
          maxLength={500}
          onChange={(e) => setSummary(e.target.value)}
          // Enter here must not submit the add-server form around it.
          onKeyDown={(e) => {
            if (e.key === "Enter") e.preventDefault();
          }}
          placeholder="e.g. a GPU profile for training models"
          className="block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-[0.95rem] text-slate-900 placeholder:text-slate-400 focus:border-brand-600 focus:outline-none focus:ring-3 focus:ring-brand-600/20"
          aria-describedby={`${id}-summary-help`}
        />
        <p id={`${id}-summary-help`} className="text-xs text-slate-500">
          Opens your organisation&rsquo;s request form in a new tab, with your name ({user}) and this filled in.
        </p>
        <a href={profileRequestLink(template, user, summary)} target="_blank" rel="noopener noreferrer" className="inline-flex items-center gap-1.5 rounded-lg bg-white px-3 py-1.5 font-medium text-brand-700 shadow-xs ring-1 ring-inset ring-slate-300 hover:bg-slate-50">
          Open the request form
          <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className="h-4 w-4">
            <path d="M11 3a1 1 0 1 0 0 2h2.59l-6.3 6.29a1 1 0 1 0 1.42 1.42L15 6.41V9a1 1 0 1 0 2 0V4a1 1 0 0 0-1-1h-5Z" />
            <path d="M5 5a2 2 0 0 0-2 2v8a2 2 0 0 0 2 2h8a2 2 0 0 0 2-2v-3a1 1 0 1 0-2 0v3H5V7h3a1 1 0 0 0 0-2H5Z" />
          </svg>
        </a>
      </div>
    </details>
  );
}
