// What Berth keeps in next-auth's session and JWT (lib/auth/options.ts), declared once so the
// callbacks and currentUser() read typed fields instead of casting.
import type { SessionUser } from "@/lib/auth/options";

declare module "next-auth" {
  interface Session {
    /** Absent when the session was revoked or its user removed (checked on every read). */
    user?: SessionUser;
  }

  /** What a password provider's authorize() returns at sign-in. */
  interface User {
    name: string;
    displayName: string | null;
    isAdmin: boolean;
    userAgent?: string | null;
    address?: string | null;
    /** Set when the sign-in check already wrote the session row (Jira). */
    sid?: string;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    /** The server-side session row (lib/auth/user-sessions.ts) this cookie names. */
    sid?: string;
    uid?: string;
    uname?: string;
    displayName?: string | null;
    isAdmin?: boolean;
  }
}
