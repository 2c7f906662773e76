import { cachedProxySession, proxySession, type ProxySession } from "../auth/proxy-session";
import { isPossibleUserName } from "../http/path-segments";
import { checkServerName } from "../policy/server-name";
import { cachedUserRoutes, userRoutes, type Route } from "./route-cache";

export type Resolution =
  | { kind: "proxy"; route: Route; viewer: ProxySession }
  | { kind: "signin" }
  | { kind: "forbidden" }
  | { kind: "not_found"; what: string }
  | { kind: "not_running"; user: string; name: string; state: Route["state"] | "stopped" };

/** Splits /user/<user>/<rest>; the named server wins over a path of the default server. */
export function parseUserPath(pathname: string): { user: string; second: string | undefined } | null {
  const m = /^\/user\/([^/?#]+)(?:\/([^/?#]*))?/.exec(pathname);
  if (!m) return null;
  try {
    return { user: decodeURIComponent(m[1]), second: m[2] ? decodeURIComponent(m[2]) : undefined };
  } catch {
    return null;
  }
}

export async function resolveTarget(pathname: string, cookieHeader: string | undefined): Promise<Resolution> {
  const parsed = parseUserPath(pathname);
  // No lookup for a name no one can have (a NUL byte would make PostgreSQL fail the query).
  if (!parsed || !isPossibleUserName(parsed.user)) return { kind: "not_found", what: "This address" };
  const session = await proxySession(cookieHeader);
  if (!session) return { kind: "signin" };
  if (session.name !== parsed.user && !session.isAdmin) return { kind: "forbidden" };
  return resolveRoute(parsed, session);
}

/**
 * resolveTarget's answer when the session and route caches already hold everything it needs, with
 * the same checks in the same order; undefined when it must read the database (then call resolveTarget).
 */
export function resolveTargetCached(pathname: string, cookieHeader: string | undefined): Resolution | undefined {
  const parsed = parseUserPath(pathname);
  if (!parsed || !isPossibleUserName(parsed.user)) return { kind: "not_found", what: "This address" };
  const session = cachedProxySession(cookieHeader);
  if (session === undefined) return undefined;
  if (!session) return { kind: "signin" };
  if (session.name !== parsed.user && !session.isAdmin) return { kind: "forbidden" };
  const routes = cachedUserRoutes(parsed.user);
  return routes === undefined ? undefined : routeIn(routes, parsed, session);
}

/** The server a parsed /user/ path reaches, once the visitor may open that person's servers. */
export async function resolveRoute(parsed: { user: string; second: string | undefined }, viewer: ProxySession): Promise<Resolution> {
  return routeIn(await userRoutes(parsed.user), parsed, viewer);
}

function routeIn(routes: Map<string, Route> | null, parsed: { user: string; second: string | undefined }, viewer: ProxySession): Resolution {
  if (!routes) return { kind: "not_found", what: `The user "${parsed.user}"` };
  const named = parsed.second ? routes.get(parsed.second) : undefined;
  const route = named && named.name !== "" ? named : routes.get("");
  const defaultRunning = route?.state === "running" && route.upstream;
  // /user/alice/ghost/ with no server "ghost" and no running default server to ask: say so,
  // rather than offering to start the default server for a name the person mistyped.
  if (!named && !defaultRunning && parsed.second && checkServerName(parsed.second, 63).ok) {
    return { kind: "not_found", what: `The server "${parsed.second}" of ${parsed.user}` };
  }
  if (!route) return { kind: "not_running", user: parsed.user, name: "", state: "stopped" };
  if (route.state !== "running" || !route.upstream) return { kind: "not_running", user: parsed.user, name: route.name, state: route.state };
  return { kind: "proxy", route, viewer };
}
