import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson, sendPage } from "../proxy/pages";

// Next.js decodes route parameters itself and answers a malformed escape ("%ZZ", "%E0%A4") with a
// plain-text 500, before any of Berth's code runs. So the custom server looks at the path first
// and answers what cannot be decoded, or decodes to a control character (no Berth path, user or
// server name has one; a NUL would reach PostgreSQL), with a 400 that says so.

const CONTROL = /[\u0000-\u001f\u007f]/;

/** What is wrong with the request's path, or null when Next.js can be given it. */
export function requestPathProblem(url: string): string | null {
  const cut = url.search(/[?#]/);
  const path = cut < 0 ? url : url.slice(0, cut);
  if (CONTROL.test(path)) return "The address contains a control character.";
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return "The address is not properly escaped: every \"%\" must start an escape of valid UTF-8 (\"%\" followed by two hex digits; write %25 for a percent sign).";
  }
  if (CONTROL.test(decoded)) return "The address contains an escaped control character (such as %00), which no Berth address has.";
  return null;
}

const API = /^\/(api|build|hub)(\/|$)/;

/** Answers a request whose path Next.js cannot be given: JSON for the APIs, a small page otherwise. */
export function refuseBadPath(req: IncomingMessage, res: ServerResponse, problem: string) {
  const url = req.url ?? "/";
  if (API.test(url)) sendJson(res, 400, { error: "invalid_path", message: `${problem} Check the address.` });
  else sendPage(res, 400, "Bad address", `${problem} Check the link, or start again from your servers.`, { href: "/servers", text: "Go to my servers" });
}
