"use client";

import { signIn } from "next-auth/react";
import { useId, useRef, useState, type FormEvent } from "react";
import { signinMessage, type SigninMode } from "@/lib/auth/signin-messages";
import { Alert } from "../ui/Alert";
import { buttonStyles } from "../ui/button-styles";
import { Field } from "../ui/Field";
import { Spinner } from "../ui/Spinner";

const MODE_TEXT: Record<SigninMode, { tab: string; user: string; secret: string; provider: "jira" | "local"; userAutocomplete: string }> = {
  jira: { tab: "Jira account", user: "Jira username", secret: "Jira password", provider: "jira", userAutocomplete: "username" },
  "jira-cloud": { tab: "Jira account", user: "Email address", secret: "API token", provider: "jira", userAutocomplete: "email" },
  local: { tab: "Berth account", user: "Username", secret: "Password", provider: "local", userAutocomplete: "username" },
};

export function SignInForm({ callbackUrl, initialError, modes }: { callbackUrl: string; initialError?: string; modes: SigninMode[] }) {
  const id = useId();
  const [mode, setMode] = useState<SigninMode>(modes[0] ?? "local");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<{ text: string; link?: string } | null>(
    initialError ? (initialError === "SessionRequired" ? { text: "Sign in to continue." } : signinMessage(initialError, modes[0] ?? "local")) : null,
  );
  const [busy, setBusy] = useState(false);
  const passwordRef = useRef<HTMLInputElement>(null);
  const t = MODE_TEXT[mode];

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const res = await signIn(t.provider, { username, password, redirect: false, callbackUrl });
    if (!res || res.error) {
      setBusy(false);
      // The username stays; only the secret is cleared.
      setError(signinMessage(res?.error ?? "", mode));
      setPassword("");
      passwordRef.current?.focus();
      return;
    }
    // Stay busy: the next page is loading.
    window.location.assign(res.url ?? callbackUrl);
  }

  return (
    <form onSubmit={onSubmit} className="space-y-5" noValidate>
      {modes.length > 1 ? (
        <fieldset>
          <legend className="sr-only">Sign in with</legend>
          <div className="grid grid-cols-2 gap-1 rounded-lg bg-slate-100 p-1">
            {modes.map((m) => (
              <label key={m} className="cursor-pointer rounded-md px-3 py-1.5 text-center text-sm font-medium text-slate-600 has-checked:bg-white has-checked:text-slate-900 has-checked:shadow-sm has-focus-visible:outline-2 has-focus-visible:outline-brand-600">
                <input type="radio" name={`${id}-mode`} value={m} checked={mode === m} onChange={() => { setMode(m); setError(null); }} className="sr-only" />
                {MODE_TEXT[m].tab}
              </label>
            ))}
          </div>
        </fieldset>
      ) : null}
      {error ? (
        <Alert tone="error">
          {error.text}
          {error.link ? (
            <>
              {" "}
              <a href={error.link} className="font-medium underline" target="_blank" rel="noreferrer">
                Open Jira&apos;s sign-in page
              </a>
            </>
          ) : null}
        </Alert>
      ) : null}
      <Field label={t.user} id="username" name="username" autoComplete={t.userAutocomplete} autoCapitalize="none" spellCheck={false} required value={username} onChange={(e) => setUsername(e.target.value)} autoFocus />
      <Field ref={passwordRef} label={t.secret} id="password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
      <button type="submit" disabled={busy || !username || !password} className={`${buttonStyles.primary} w-full py-2.5`}>
        {busy ? (
          <>
            <Spinner /> Signing in…
          </>
        ) : (
          "Sign in"
        )}
      </button>
    </form>
  );
}
