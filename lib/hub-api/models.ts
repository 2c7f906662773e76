import { expandScopes, isAdminScope, type Scope } from "../auth/scopes";
import { readRecordedProfile } from "../policy/resolve-profile";
import type { TokenInfo } from "../tokens/tokens";

// Berth's servers, people and tokens in JupyterHub 5's JSON shapes (its REST API's User, Server,
// Token and RequestIdentity models), so scripts and tools written for JupyterHub read them
// unchanged. Pure: the callers load the rows; nothing here touches the database.

/** The JupyterHub REST API version Berth answers as (GET /hub/api/). */
export const HUB_API_VERSION = "5.0.0";

export type ServerState = "stopped" | "starting" | "running" | "stopping" | "deleting" | "failed";

export interface ServerRow {
  name: string;
  state: ServerState;
  profile: string;
  /** What the server was created with (the profile's choices among it), when the caller loaded it. */
  profileSpec?: unknown;
  startedAt: Date | null;
  lastActivityAt: Date | null;
}

export interface UserRow {
  name: string;
  isAdmin: boolean;
  createdAt: Date;
  lastLoginAt: Date | null;
}

/** Where URLs point: the path prefix of a person's servers, and absolute URLs when known. */
export interface UrlBase {
  /** Berth's public origin ("https://berth.example.org"). */
  publicUrl: string;
  /** With per-person hosts: that person's origin, where their servers are served. */
  userOrigin?: (user: string) => string;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function serverPath(user: string, name: string): string {
  return `/user/${encodeURIComponent(user)}/${name ? `${encodeURIComponent(name)}/` : ""}`;
}

export function progressPath(user: string, name: string): string {
  const u = encodeURIComponent(user);
  return name ? `/hub/api/users/${u}/servers/${encodeURIComponent(name)}/progress` : `/hub/api/users/${u}/server/progress`;
}

/** JupyterHub's pending/ready/stopped triple for a Berth state. A failed start is stopped, as in JupyterHub. */
export function serverStatus(state: ServerState): { pending: "spawn" | "stop" | null; ready: boolean; stopped: boolean } {
  switch (state) {
    case "starting":
      return { pending: "spawn", ready: false, stopped: false };
    case "stopping":
    case "deleting":
      return { pending: "stop", ready: false, stopped: false };
    case "running":
      return { pending: null, ready: true, stopped: false };
    default:
      return { pending: null, ready: false, stopped: true };
  }
}

/** Active in JupyterHub's sense: running, or a start or stop in flight. */
export const isActive = (state: ServerState) => state === "starting" || state === "running" || state === "stopping" || state === "deleting";

export function serverModel(owner: string, s: ServerRow, base: UrlBase) {
  const path = serverPath(owner, s.name);
  const origin = base.userOrigin ? base.userOrigin(owner) : null;
  return {
    name: s.name,
    full_name: `${owner}/${s.name}`,
    last_activity: iso(s.lastActivityAt),
    started: s.state === "stopped" || s.state === "failed" ? null : iso(s.startedAt),
    ...serverStatus(s.state),
    // With per-person hosts the server lives on another origin: JupyterHub's subdomain mode
    // answers a full URL here too.
    url: origin ? `${origin}${path}` : path,
    // What it was asked for, the KubeSpawner way: the profile and each option's choice by name.
    user_options: userOptions(s),
    progress_url: progressPath(owner, s.name),
    full_url: `${origin ?? base.publicUrl}${path}`,
    full_progress_url: `${base.publicUrl}${progressPath(owner, s.name)}`,
  };
}

export type HubServerModel = ReturnType<typeof serverModel>;

function userOptions(s: ServerRow): Record<string, string> {
  const choices = readRecordedProfile(s.profileSpec)?.choices ?? [];
  return { profile: s.profile, ...Object.fromEntries(choices.map((c) => [c.option, c.choice])) };
}

/**
 * What the request may read about a user (JupyterHub's access_map): `read:users` the user's fields,
 * `read:servers` their servers; identifying oneself (GET /hub/api/user) always shows name, admin
 * and groups, as JupyterHub's identify scopes do.
 */
export interface ModelAccess {
  readUsers: boolean;
  readServers: boolean;
  identify?: boolean;
}

export function userModel(u: UserRow, servers: ServerRow[], access: ModelAccess, base: UrlBase, opts: { includeStopped?: boolean } = {}) {
  const byName = new Map(servers.map((s) => [s.name, s]));
  const def = byName.get("");
  const lastActivity = [u.lastLoginAt, ...servers.map((s) => s.lastActivityAt)].reduce<Date | null>((a, b) => (b && (!a || b > a) ? b : a), null);
  const model: Record<string, unknown> = { kind: "user", name: u.name };
  if (access.readUsers || access.identify) {
    model.admin = u.isAdmin;
    // Berth has no JupyterHub groups: a person's groups (from Jira, or set on a local account) decide
    // administrators and profiles, and are not managed through this API.
    model.groups = [];
  }
  if (access.readUsers) {
    model.roles = u.isAdmin ? ["admin", "user"] : ["user"];
    model.server = def?.state === "running" ? serverPath(u.name, "") : null;
    model.pending = def ? serverStatus(def.state).pending : null;
    model.created = u.createdAt.toISOString();
    model.last_activity = iso(lastActivity);
  }
  if (access.readServers) {
    const shown = servers.filter((s) => opts.includeStopped || isActive(s.state)).sort((a, b) => a.name.localeCompare(b.name));
    model.servers = Object.fromEntries(shown.map((s) => [s.name, serverModel(u.name, s, base)]));
  }
  return model;
}

/**
 * The scopes a request holds, as JupyterHub writes them: a non-administrator's rights are limited
 * to their own user (`servers!user=alice`), an administrator's are unfiltered.
 */
export function hubScopes(user: string, isAdmin: boolean, scopes: Iterable<Scope>): string[] {
  return [...expandScopes(scopes)].map((s) => (isAdmin || isAdminScope(s) ? s : `${s}!user=${user}`)).sort();
}

export function tokenModel(t: TokenInfo) {
  return {
    user: t.user,
    id: t.id,
    kind: "api_token",
    // Deprecated in JupyterHub 3 and always empty there too.
    roles: [] as string[],
    scopes: [...t.scopes].sort(),
    created: t.createdAt,
    last_activity: t.lastUsedAt,
    expires_at: t.expiresAt,
    note: t.note,
    session_id: null,
    oauth_client: "Berth",
  };
}
