"use client";

import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { Alert } from "../ui/Alert";
import { buttonStyles } from "../ui/button-styles";
import { Field } from "../ui/Field";

const messages: Record<string, string> = {
  CredentialsSignin: "Wrong username or password. Check both and try again.",
  SessionRequired: "Sign in to continue.",
};

export function SignInForm({ callbackUrl, initialError }: { callbackUrl: string; initialError?: string }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState(initialError ? (messages[initialError] ?? "Sign-in failed. Try again.") : "");
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError("");
    const res = await signIn("local", { username, password, redirect: false, callbackUrl });
    setBusy(false);
    if (!res || res.error) {
      setError(messages[res?.error ?? ""] ?? res?.error ?? "Sign-in failed. Try again.");
      setPassword("");
      return;
    }
    window.location.assign(res.url ?? callbackUrl);
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      {error ? <Alert tone="error">{error}</Alert> : null}
      <Field label="Username" id="username" name="username" autoComplete="username" autoCapitalize="none" required value={username} onChange={(e) => setUsername(e.target.value)} autoFocus />
      <Field label="Password" id="password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
      <button type="submit" disabled={busy || !username || !password} className={`${buttonStyles.primary} w-full`}>
        {busy ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
