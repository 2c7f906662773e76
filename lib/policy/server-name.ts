// Pure rules, shared by the API, the database constraint's twin, and the form that validates as
// you type. Nothing here may import server-only modules.

// A named server lives at /user/<user>/<name>/, beside the default server's own Jupyter paths,
// so a name that is also a top-level Jupyter path would make one of them unreachable.
export const RESERVED_SERVER_NAMES = new Set([
  "api", "apps", "custom", "doc", "edit", "files", "hub", "kernelspecs", "lab", "login", "logout",
  "nbconvert", "nbextensions", "notebooks", "retro", "static", "terminals", "tree", "view", "voila",
]);

export type NameCheck = { ok: true } | { ok: false; reason: string };

export function checkServerName(name: string, maxLength = 20): NameCheck {
  if (name.length === 0) return { ok: false, reason: "Enter a name for the server." };
  if (name.length > maxLength) return { ok: false, reason: `Use at most ${maxLength} characters (this one has ${name.length}).` };
  if (/[A-Z]/.test(name)) return { ok: false, reason: "Use lowercase letters only." };
  if (!/^[a-z]/.test(name)) return { ok: false, reason: "Start the name with a letter." };
  if (/[^a-z0-9-]/.test(name)) return { ok: false, reason: "Use only lowercase letters, digits and hyphens." };
  if (name.includes("--")) return { ok: false, reason: "Use single hyphens only." };
  if (name.endsWith("-")) return { ok: false, reason: "End the name with a letter or digit." };
  if (RESERVED_SERVER_NAMES.has(name)) return { ok: false, reason: `"${name}" is a Jupyter path; choose another name.` };
  return { ok: true };
}
