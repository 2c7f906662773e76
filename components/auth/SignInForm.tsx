"use client";

import { signIn } from "next-auth/react";
import { useRef, useState, type FormEvent } from "react";
import { Alert } from "../ui/Alert";
import { buttonStyles } from "../ui/button-styles";
import { Field } from "../ui/Field";
import { Spinner } from "../ui/Spinner";

const messages: Record<string, string> = {
  CredentialsSignin: "Wrong username or password. Check both and try again.",
  SessionRequired: "Sign in to continue.",
};

export function SignInForm({ callbackUrl, initialError }: { callbackUrl: string; initialError?: string }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState(initialError ? (messages[initialError] ?? "Sign-in failed. Try again.") : "");
  const [busy, setBusy] = useState(false);
  const passwordRef = useRef<HTMLInputElement>(null);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError("");
    const res = await signIn("local", { username, password, redirect: false, callbackUrl });
    if (!res || res.error) {
      setBusy(false);
      setError(messages[res?.error ?? ""] ?? res?.error ?? "Sign-in failed. Try again.");
      setPassword("");
      passwordRef.current?.focus();
      return;
    }
    // Stay busy: the next page is loading.
    window.location.assign(res.url ?? callbackUrl);
  }

  return (
    <form onSubmit={onSubmit} className="space-y-5" noValidate>
      {error ? <Alert tone="error">{error}</Alert> : null}
      <Field label="Username" id="username" name="username" autoComplete="username" autoCapitalize="none" spellCheck={false} required value={username} onChange={(e) => setUsername(e.target.value)} autoFocus />
      <Field ref={passwordRef} label="Password" id="password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
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
