import type { IncomingMessage, ServerResponse } from "node:http";
import { config } from "../config";
import { log } from "../log";
import { runtime } from "../runtime";
import { answerBarRequest } from "./berth-bar";
import { classicPath, labTreeSegments } from "./classic-paths";
import { sendPage } from "./pages";
import type { Route } from "./route-cache";

// The few addresses of a server that the proxy answers itself instead of its Jupyter, after the
// same checks as any request to that server:
// - <prefix>_berth/status and _berth/keep-running: the Berth bar's (berth-bar.ts);
// - <prefix>logout (Notebook 6 and 7, Jupyter Server) and <prefix>lab/logout: Jupyter's own
//   "Logout" would clear a cookie Jupyter does not use and say "Successfully logged out" while
//   Berth's session lives on. The person goes to Berth's sign-out page, which asks first;
// - on a classic Notebook server, JupyterLab's lab/tree/… and doc/tree/… (classic-paths.ts).
// Everything else goes on at once: one prefix comparison and one character switch per request.

const LOGOUT = new Set(["logout", "logout/", "lab/logout", "lab/logout/", "tree/logout"]);

function redirect(res: ServerResponse, location: string) {
  res.writeHead(302, { location, "cache-control": "no-store" });
  res.end();
}

/** Berth's sign-out page; on Berth's own address when servers have hosts of their own. */
export function signOutUrl(prefix: string): string {
  const berth = config().userServersHost ? config().publicUrl : "";
  return `${berth}/signout?from=${encodeURIComponent(prefix)}`;
}

/** True when the request was answered here. `prefix` is the route's server prefix ("/user/a/s/"). */
export function answeredHere(req: IncomingMessage, res: ServerResponse, route: Route, prefix: string): boolean {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const end = q < 0 ? url.length : q;
  if (end - prefix.length < 3 || !url.startsWith(prefix)) return false;
  const rest = url.slice(prefix.length, end);
  switch (rest.charCodeAt(0)) {
    case 95: // "_"
      return answerBarRequest(req, res, route, rest);
    case 116: // "t"
    case 108: // "l"
    case 100: // "d"
      if (LOGOUT.has(rest)) {
        redirect(res, signOutUrl(prefix));
        return true;
      }
      return rest.charCodeAt(0) !== 116 && openInClassicNotebook(req, res, route, prefix, rest, url.slice(end));
    default:
      return false;
  }
}

function openInClassicNotebook(req: IncomingMessage, res: ServerResponse, route: Route, prefix: string, rest: string, query: string): boolean {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  const segments = labTreeSegments(rest);
  if (!segments || runtime().jupyterInterface() !== "notebook") return false;
  // BinderHub clients add an empty ?token=; the rest of the query goes along.
  const params = new URLSearchParams(query.slice(1));
  params.delete("token");
  const kept = params.size ? `?${params}` : "";
  classicPath(segments, `${route.upstream}${prefix}`, route.token)
    .then((target) => redirect(res, `${prefix}${target}${kept}`))
    .catch((err: Error) => {
      log.warn("could not open a JupyterLab address on a classic Notebook", { error: err.message });
      sendPage(res, 502, "The server is not answering", "Its Jupyter did not answer. Try again in a moment, or restart it from My servers.", { href: "/servers", text: "My servers" });
    });
  return true;
}
