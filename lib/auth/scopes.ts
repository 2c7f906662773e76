// JupyterHub's scope names (a subset), so tokens and tools written for JupyterHub mean the same
// thing here. A scope never widens what its holder may do: a non-administrator's `servers` is
// their own servers (JupyterHub's `servers!user=<name>`), an administrator's is everyone's.

export const SCOPES = ["read:servers", "servers", "read:users", "admin:users", "admin:servers", "read:builds"] as const;
export type Scope = (typeof SCOPES)[number];

export const SCOPE_DESCRIPTIONS: Record<Scope, string> = {
  "read:servers": "See servers: their state, profile and activity.",
  servers: "Start and stop servers, and create and delete named ones.",
  "read:users": "See users: names, administrator rights, last sign-in.",
  "admin:users": "Add, change, disable and remove users (administrators only).",
  "admin:servers": "Create, start, stop and delete anyone's servers (administrators only).",
  "read:builds": "See builds: the queue, logs and history.",
};

const ADMIN_ONLY: ReadonlySet<Scope> = new Set(["admin:users", "admin:servers"]);

// What holding a scope also grants (JupyterHub's scope hierarchy, as far as this subset goes).
const IMPLIES: Record<Scope, Scope[]> = {
  "read:servers": [],
  servers: ["read:servers"],
  "read:users": [],
  "admin:users": ["read:users"],
  "admin:servers": ["servers", "read:servers"],
  "read:builds": [],
};

export function isScope(s: string): s is Scope {
  return (SCOPES as readonly string[]).includes(s);
}

/** The scopes and everything they imply. */
export function expandScopes(scopes: Iterable<Scope>): Set<Scope> {
  const out = new Set<Scope>();
  const add = (s: Scope) => {
    if (out.has(s)) return;
    out.add(s);
    for (const i of IMPLIES[s]) add(i);
  };
  for (const s of scopes) add(s);
  return out;
}

/** Every scope a person may hold (and so grant to a token): administrators all, others no admin:*. */
export function scopesFor(isAdmin: boolean): Scope[] {
  return SCOPES.filter((s) => isAdmin || !ADMIN_ONLY.has(s));
}

export function isAdminScope(s: Scope): boolean {
  return ADMIN_ONLY.has(s);
}
