import { AppError } from "../errors";

// User and server names arrive as URL path segments (/api/users/<user>/servers/<server>/…,
// /spawn/<user>/<server>, /user/<user>/…). Each is decoded and checked here once, before any
// lookup: a NUL byte would otherwise reach PostgreSQL (which refuses it with an error: a 500),
// and a name no account or server can have needs no query to be "not found".

// Every name Berth gives a person: local accounts (lib/policy/user-name.ts) and Jira logins
// (lib/auth/jira/login-name.ts, which also allows "@" and "+").
const USER_NAME = /^[a-z0-9][a-z0-9._@+-]{0,63}$/;
// Every name a server can have (lib/policy/server-name.ts, at the longest limit an operator can set).
const SERVER_NAME = /^[a-z][a-z0-9-]{0,62}$/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export const isPossibleUserName = (name: string) => USER_NAME.test(name);
export const isPossibleServerName = (name: string) => name === "" || SERVER_NAME.test(name);

function decodeSegment(raw: string, what: string): string {
  let v = raw;
  // Next hands some route parameters over still escaped; a valid name has no "%" of its own.
  if (v.includes("%")) {
    try {
      v = decodeURIComponent(v);
    } catch {
      throw new AppError("bad_request", `The ${what} in the address is not properly escaped ("%" must be followed by two hex digits). Check the address.`);
    }
  }
  if (CONTROL.test(v)) {
    throw new AppError("bad_request", `The ${what} in the address contains a control character, which no ${what} can have. Check the address.`);
  }
  return v;
}

/** The user name in a path segment: 400 for bytes no name can hold, 404 for a name no one can have. */
export function userFromPath(raw: string): string {
  const name = decodeSegment(raw, "user name");
  if (!isPossibleUserName(name)) throw new AppError("not_found", `There is no user named "${name}".`);
  return name;
}

/** The server name in a path segment ("" is the default server). */
export function serverFromPath(raw: string | undefined, owner: string): string {
  if (raw === undefined || raw === "") return "";
  const name = decodeSegment(raw, "server name");
  if (!isPossibleServerName(name)) throw new AppError("not_found", `${owner} has no server named "${name}". Check the name on the My servers page.`);
  return name;
}
