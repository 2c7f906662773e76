import { ackSetCookie, needsAcknowledgement } from "./admin-ack";
import { resolveTarget } from "./resolve-target";
import { serverPrefix } from "./set-cookie";

// The warning an administrator gets before opening someone else's server (app/open-server) and
// its confirmation (app/api/open-server): both judge the address the proxy sent them from exactly
// as the proxy does, so the warning is shown, and the acknowledgement given, for that server only.

/** The address to continue to: a path under /user/ on this origin, or null (no open redirect). */
export function userServerAddress(next: unknown): string | null {
  if (typeof next !== "string" || !next.startsWith("/user/") || /[\\\s]/.test(next) || next.length > 4096) return null;
  try {
    const u = new URL(next, "http://berth.invalid");
    if (u.origin !== "http://berth.invalid" || !u.pathname.startsWith("/user/")) return null;
    return u.pathname + u.search + u.hash;
  } catch {
    return null;
  }
}

export type OpenServer =
  | { kind: "continue" }
  | { kind: "warn"; owner: string; server: string; prefix: string; setCookie: string };

/** Whether this visitor must be warned before the address; if so whose server it is. */
export async function openServer(address: string, cookieHeader: string | undefined): Promise<OpenServer> {
  const r = await resolveTarget(address.split(/[?#]/)[0], cookieHeader);
  // Not running, not found, not allowed, not signed in: the proxy itself answers those.
  if (r.kind !== "proxy" || !needsAcknowledgement(r.viewer, r.route, cookieHeader)) return { kind: "continue" };
  const prefix = serverPrefix(r.route.owner, r.route.name);
  return { kind: "warn", owner: r.route.owner, server: r.route.name, prefix, setCookie: ackSetCookie(r.viewer.name, r.route.serverId, prefix) };
}
