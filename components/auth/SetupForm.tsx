"use client";

import Link from "next/link";
import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { Alert } from "../ui/Alert";
import { buttonStyles } from "../ui/button-styles";
import { Field } from "../ui/Field";
import { fetchJson, problemText } from "../ui/fetch-json";
import { Spinner } from "../ui/Spinner";

export function SetupForm({ token, minPasswordLength }: { token: string; minPasswordLength: number }) {
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [error, setError] = useState("");
  const [done, setDone] = useState<{ name: string; signedIn: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const mismatch = confirm.length > 0 && confirm !== password ? "The two passwords differ." : undefined;
  const tooShort = password.length > 0 && password.length < minPasswordLength ? `Use at least ${minPasswordLength} characters.` : undefined;

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (mismatch || tooShort) return;
    setBusy(true);
    setError("");
    let body: { name?: string } | undefined;
    try {
      body = await fetchJson<{ name?: string }>("/api/setup", { method: "POST", body: { token, name, password } });
    } catch (err) {
      setBusy(false);
      return setError(problemText(err));
    }
    const account = body?.name ?? name;
    // The person who just chose the password is the administrator: sign them in at once.
    const signedIn = await signIn("local", { username: account, password, redirect: false, callbackUrl: "/" }).catch(() => undefined);
    setBusy(false);
    setDone({ name: account, signedIn: Boolean(signedIn && !signedIn.error) });
  }

  if (done) {
    return (
      <div className="space-y-5">
        <Alert tone="success" title="You're all set">
          The administrator account “{done.name}” is ready{done.signedIn ? " and you are signed in" : ""}. This setup link no longer works.
        </Alert>
        {done.signedIn ? (
          <Link href="/" className={`${buttonStyles.primary} w-full py-2.5`} autoFocus>
            Continue to Berth
          </Link>
        ) : (
          <Link href="/signin" className={`${buttonStyles.primary} w-full py-2.5`} autoFocus>
            Sign in as {done.name}
          </Link>
        )}
      </div>
    );
  }
  return (
    <form onSubmit={onSubmit} className="space-y-5" noValidate>
      {error ? <Alert tone="error">{error}</Alert> : null}
      <Field label="Username" id="name" autoComplete="username" autoCapitalize="none" spellCheck={false} required value={name} onChange={(e) => setName(e.target.value)} hint="Lowercase letters, digits, dots, underscores and hyphens." autoFocus />
      <Field label="Password" id="password" type="password" autoComplete="new-password" required value={password} onChange={(e) => setPassword(e.target.value)} error={tooShort} hint={`At least ${minPasswordLength} characters.`} />
      <Field label="Confirm password" id="confirm" type="password" autoComplete="new-password" required value={confirm} onChange={(e) => setConfirm(e.target.value)} error={mismatch} />
      <button type="submit" disabled={busy || !name || !password || !confirm || Boolean(mismatch || tooShort)} className={`${buttonStyles.primary} w-full py-2.5`}>
        {busy ? (
          <>
            <Spinner /> Creating…
          </>
        ) : (
          "Create administrator"
        )}
      </button>
    </form>
  );
}
