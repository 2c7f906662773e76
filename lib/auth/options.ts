import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { config } from "../config";
import { safeRedirectPath } from "../http/safe-redirect";
import { authSecret } from "./secret";
import { signInLocal } from "./sign-in-local";
import { signInJira } from "./jira/sign-in-jira";
import { clientAddressHeader } from "./client-address";
import type { SigninMode } from "./signin-messages";

export interface SessionUser {
  id: string;
  name: string;
  displayName: string | null;
  isAdmin: boolean;
}

export function sessionCookieName(): string {
  return config().secureCookies ? "__Secure-next-auth.session-token" : "next-auth.session-token";
}

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
        return `${baseUrl}${safeRedirectPath(path, "/servers")}`;
      },
      async jwt({ token, user }) {
        if (user) {
          const u = user as unknown as SessionUser;
          token.uid = u.id;
          token.uname = u.name;
          token.displayName = u.displayName;
          token.isAdmin = u.isAdmin;
        }
        return token;
      },
      async session({ session, token }) {
        return {
          ...session,
          user: { id: token.uid as string, name: token.uname as string, displayName: (token.displayName as string | null) ?? null, isAdmin: Boolean(token.isAdmin) },
        };
      },
    },
  };
}

type PasswordCheck = (username: string, password: string, address: string | null) => Promise<{ id: string; name: string; displayName: string | null; isAdmin: boolean } | null>;

// A username + password form whose check runs on the server; the password lives only for that call.
function passwordProvider(id: "jira" | "local", name: string, check: PasswordCheck) {
  return CredentialsProvider({
    id,
    name,
    credentials: { username: { label: "Username", type: "text" }, password: { label: "Password", type: "password" } },
    async authorize(credentials, req) {
      const user = await check(credentials?.username ?? "", credentials?.password ?? "", headerValue(req?.headers, clientAddressHeader));
      return user ? { id: user.id, name: user.name, displayName: user.displayName, isAdmin: user.isAdmin } : null;
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
