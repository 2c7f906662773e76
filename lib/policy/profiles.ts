import { statSync } from "node:fs";
import { config, loadProfiles, type Profile } from "../config";
import { log } from "../log";
import { shared } from "../shared";

// The administrators' profiles (DESIGN.md §1: "read at start and on change"). BERTH_PROFILES_FILE
// is looked at (stat, not read) at most every CHECK_MS; when its identity changed — inode, size
// or modification time of what the path leads to, so a Kubernetes ConfigMap's `..data` symlink
// swap counts — it is read again. A file that is invalid after a change keeps the last good list
// in use; the error is logged once and shown on the console's Profiles tab until the file is fixed.
// A server does not follow later edits: it records its profile as resolved at creation and starts
// with that record (lib/policy/profile-access.ts), also once the profile is removed ("retired").

export const CHECK_MS = 2000;

export interface ProfilesStatus {
  file: string | undefined;
  /** When the list in use was read. */
  loadedAt: Date;
  /** The last change that could not be used, or undefined. */
  error: { message: string; at: Date } | undefined;
}

interface State {
  list: Profile[];
  identity: string;
  checkedAt: number;
  loadedAt: Date;
  error: { message: string; at: Date; identity: string } | undefined;
}

function identityOf(file: string): string {
  try {
    const s = statSync(file);
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch (err) {
    return `missing:${(err as NodeJS.ErrnoException).code ?? "?"}`;
  }
}

const state = () =>
  shared<{ s?: State }>("policy.profiles", () => ({}));

function initial(now: number): State {
  const c = config();
  // The first look counts from the caller's clock, like every later one.
  const s: State = { list: c.profiles, identity: "", checkedAt: now, loadedAt: new Date(now), error: undefined };
  if (!c.profilesFile) return s;
  // What the file says now (it may have changed since config() read it at start); if that is
  // not usable, the start-time list, and the next look reports why.
  const identity = identityOf(c.profilesFile);
  try {
    s.list = loadProfiles(c.profilesFile, c.profileDefaults);
    s.identity = identity;
  } catch {
    // keeps the start-time list; identity "" makes the next refresh read (and report) the file
  }
  return s;
}

/** Looks at the file if CHECK_MS has passed (or `force`), and reads it again if it changed. */
function refresh(now: number, force = false): State {
  const holder = state();
  const s = (holder.s ??= initial(now));
  const c = config();
  if (!c.profilesFile || (!force && now - s.checkedAt < CHECK_MS)) return s;
  s.checkedAt = now;
  const identity = identityOf(c.profilesFile);
  if (identity === s.identity || identity === s.error?.identity) return s;
  try {
    s.list = loadProfiles(c.profilesFile, c.profileDefaults);
    s.identity = identity;
    s.loadedAt = new Date(now);
    if (s.error) log.info("profiles file is valid again", { file: c.profilesFile });
    s.error = undefined;
    log.info("profiles reloaded", { file: c.profilesFile, profiles: s.list.map((p) => p.slug) });
  } catch (err) {
    const message = (err as Error).message;
    s.error = { message, at: new Date(now), identity };
    log.error("profiles file changed but is invalid; the previous profiles stay in use", { file: c.profilesFile, error: message });
  }
  return s;
}

/** The profiles in use now: the file's latest valid content. */
export function profiles(now = Date.now()): Profile[] {
  return refresh(now).list;
}

/** The default profile (there is always one). */
export function defaultProfile(now = Date.now()): Profile {
  const list = profiles(now);
  return list.find((p) => p.default) ?? list[0];
}

/** The profile called `slug`, or undefined. */
export function findProfile(slug: string, now = Date.now()): Profile | undefined {
  return profiles(now).find((p) => p.slug === slug);
}

/**
 * Seconds without activity before a server of the profile `slug` is stopped (0: never): the
 * profile's own `idleTimeoutSeconds`, else the operator's default (a profile no longer in the
 * file included). The culler and every "time left" shown use this one rule.
 */
export function idleTimeoutSeconds(slug: string, now = Date.now()): number {
  return findProfile(slug, now)?.idleTimeoutSeconds ?? config().policy.idleTimeoutSeconds;
}

export function profilesStatus(now = Date.now()): ProfilesStatus {
  const s = refresh(now, true);
  return { file: config().profilesFile, loadedAt: s.loadedAt, error: s.error && { message: s.error.message, at: s.error.at } };
}

/** Tests: forget what was read, so the next call starts from config(). */
export function resetProfiles(): void {
  state().s = undefined;
}
