import type { NextAuthOptions, User } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { config } from "../config";
import { safeRedirectPath } from "../http/safe-redirect";
import { authSecret } from "./secret";
import { signInLocal } from "./sign-in-local";
import { signInJira } from "./jira/sign-in-jira";
import { clientAddressHeader } from "./client-address";
import type { SigninMode } from "./signin-messages";
import { checkSession, createSession, revokeSession } from "./user-sessions";
import { recordEvent } from "../audit/record-event";
import { log } from "../log";

export interface SessionUser {
  id: string;
  name: string;
  displayName: string | null;
  isAdmin: boolean;
}

export { sessionCookieName } from "./cookie-name";

export function authOptions(): NextAuthOptions {
  const c = config();
  return {
    secret: authSecret(),
    useSecureCookies: c.secureCookies,
    session: { strategy: "jwt", maxAge: c.sessionMaxAgeSeconds },
    pages: { signIn: "/signin", error: "/signin" },
    providers: [
      ...(c.jira ? [passwordProvider("jira", "Jira", signInJira)] : []),
      ...(c.localAccounts ? [passwordProvider("local", "Berth account", signInLocal)] : []),
    ],
    callbacks: {
      // Where next-auth sends a person after signing in or out (its callbackUrl may come from a
      // form field or a cookie): through the same normaliser as every other redirect.
      async redirect({ url, baseUrl }) {
        const path = url.startsWith(baseUrl) ? url.slice(baseUrl.length) || "/" : url;
        return `${baseUrl}${safeRedirectPath(path, "/")}`;
      },
      async jwt({ token, user }) {
        if (user) {
          // Sign-in: the cookie names a server-side session row (lib/auth/user-sessions.ts).
          // The Jira check writes the session row with the rest of the sign-in (one statement).
          token.sid = user.sid ?? (await createSession(user.id, { userAgent: user.userAgent, address: user.address }));
          token.uid = user.id;
          token.uname = user.name;
          token.displayName = user.displayName;
          token.isAdmin = user.isAdmin;
        }
        return token;
      },
      async session({ session, token }) {
        // Who the person is now, not when they signed in: a revoked session has no user, a
        // demoted administrator is no longer one.
        const live = await checkSession(token.sid);
        if (!live) return { expires: session.expires };
        return { ...session, user: { id: live.userId, name: live.name, displayName: live.displayName, isAdmin: live.isAdmin } };
      },
    },
    events: {
      async signOut({ token }) {
        // next-auth logs and swallows errors here; log what the person would want to know.
        try {
          const live = await checkSession(token?.sid);
          if (await revokeSession(token?.sid, "signed out") && live) {
            await recordEvent({ id: live.userId, name: live.name, isAdmin: live.isAdmin }, { action: "signout", targetUser: live.name });
          }
        } catch (err) {
          log.error("could not end a session at sign-out; its cookie stays valid until it expires", { error: String(err) });
        }
      },
    },
  };
}

type PasswordCheck = (
  username: string,
  password: string,
  address: string | null,
  session: { userAgent: string | null },
) => Promise<{ id: string; name: string; displayName: string | null; isAdmin: boolean; sid?: string } | null>;

// A username + password form whose check runs on the server; the password lives only for that call.
function passwordProvider(id: "jira" | "local", name: string, check: PasswordCheck) {
  return CredentialsProvider({
    id,
    name,
    credentials: { username: { label: "Username", type: "text" }, password: { label: "Password", type: "password" } },
    async authorize(credentials, req) {
      const address = headerValue(req?.headers, clientAddressHeader);
      const userAgent = headerValue(req?.headers, "user-agent");
      const user = await check(credentials?.username ?? "", credentials?.password ?? "", address, { userAgent });
      if (!user) return null;
      const signedIn: User = { id: user.id, name: user.name, displayName: user.displayName, isAdmin: user.isAdmin, userAgent, address, sid: user.sid };
      return signedIn;
    },
  });
}

function headerValue(headers: Record<string, unknown> | undefined, name: string): string | null {
  const v = headers?.[name];
  return typeof v === "string" && v ? v : null;
}

/** Which sign-in forms the page offers, Jira first. */
export function signinModes(): SigninMode[] {
  const c = config();
  const modes: SigninMode[] = [];
  if (c.jira) modes.push(c.jira.deployment === "cloud" ? "jira-cloud" : "jira");
  if (c.localAccounts) modes.push("local");
  return modes;
}
