"use client";

import { signOut } from "next-auth/react";
import { useState } from "react";
import { buttonStyles } from "../ui/button-styles";

// next-auth signs out with a POST carrying its CSRF token; signOut() does both, then goes to `then`.
export function SignOutButton({ then, label }: { then: string; label: string }) {
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      disabled={busy}
      onClick={() => {
        setBusy(true);
        void signOut({ callbackUrl: then });
      }}
      className={`${buttonStyles.primary} w-full`}
    >
      {busy ? "Signing out…" : label}
    </button>
  );
}
