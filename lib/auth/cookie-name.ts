import { config } from "../config";

// Its own module so that the proxy (lib/auth/proxy-session.ts) can name the cookie without
// loading next-auth's providers and the sign-in code with them.
export function sessionCookieName(): string {
  return config().secureCookies ? "__Secure-next-auth.session-token" : "next-auth.session-token";
}
