import { config, type Profile } from "../config";
import { AppError } from "../errors";
import type { Actor } from "../auth/actor";
import { defaultProfile, findProfile, profiles } from "./profiles";
import { mayUseProfile, readRecordedProfile, resolveProfile, type ChosenOptions, type RecordedProfile } from "./resolve-profile";

// Who may use which profile (issue 13 point 4) and which profile a server has (point 6). The
// rules are the same on every runtime: the services decide, the runtimes size what they are given.

/** The owner of the server in question, as the database has them. */
export interface ProfileUser {
  name: string;
  isAdmin: boolean;
  groups: string[];
}

/** An administrator acting (for anyone) may use every profile; otherwise the owner's groups decide. */
function mayUse(actor: Actor, owner: ProfileUser, groups: string[] | undefined): boolean {
  return actor.isAdmin || mayUseProfile(groups, owner);
}

/** The profiles `owner` may choose, as `actor` sees them (an administrator sees all). */
export function allowedProfiles(actor: Actor, owner: ProfileUser): Profile[] {
  return profiles().filter((p) => mayUse(actor, owner, p.groups));
}

function forbidden(actor: Actor, owner: ProfileUser, slug: string, displayName: string, groups: string[], verb: string): AppError {
  const who = actor.name === owner.name ? "you are" : `${owner.name} is`;
  const ask = config().profileRequestUrl
    ? `ask for it with "Need another profile?" on My servers`
    : "ask an administrator to add you to one of these groups";
  return new AppError(
    "forbidden",
    `The profile "${displayName}" (${slug}) is only for members of ${groups.join(", ") || "no group (administrators only)"}, and ${who} not in any of them. ${verb}, or ${ask}.`,
    { profile: slug, groups },
  );
}

/**
 * The profile a new server gets: the one asked for (or the default), if `owner` may use it, with
 * the chosen options applied. Throws 422 for a profile or choice that does not exist, 403 for one
 * the owner may not use.
 */
export function chooseProfile(actor: Actor, owner: ProfileUser, slug: string | undefined, options?: ChosenOptions): RecordedProfile {
  const profile = slug ? findProfile(slug) : defaultProfile();
  if (!profile) {
    const offered = allowedProfiles(actor, owner).map((p) => p.slug);
    throw new AppError("invalid_profile", `There is no profile "${slug}". Choose one of: ${offered.join(", ")}.`);
  }
  if (!mayUse(actor, owner, profile.groups)) throw forbidden(actor, owner, profile.slug, profile.displayName, profile.groups ?? [], "Choose one of the profiles offered to you");
  return resolveProfile(profile, options);
}

/** The record a default server (or a launch) gets without anyone choosing: the default profile, open to everyone. */
export function defaultRecord(): RecordedProfile {
  return resolveProfile(defaultProfile());
}

export interface ServerProfile {
  /** What the server starts with. */
  recorded: RecordedProfile;
  /** The profile is no longer in the profiles file. */
  retired: boolean;
  /** Not recorded yet (a server made before profiles were recorded): taken from the file, recorded at the next start. */
  unrecorded: boolean;
}

/** The profile of a server row: its record, or (not recorded yet) what the file says now. */
export function serverProfile(row: { profile: string; profileSpec: unknown }): ServerProfile {
  const live = findProfile(row.profile);
  const recorded = readRecordedProfile(row.profileSpec);
  if (recorded) return { recorded, retired: !live, unrecorded: false };
  // The default profile's resources for a profile that is gone: what such servers always got.
  const fallback = resolveProfile(live ?? defaultProfile());
  return { recorded: live ? fallback : { ...fallback, slug: row.profile, displayName: row.profile, groups: undefined }, retired: !live, unrecorded: true };
}

/**
 * Refuses a start by someone the profile is not for: a person taken out of a profile's groups
 * cannot go on starting its servers. The live profile's groups count (an administrator may have
 * opened it since); a retired profile's recorded ones.
 */
export function checkMayStart(actor: Actor, owner: ProfileUser, server: { name: string; profile: string }, sp: ServerProfile): void {
  const live = findProfile(server.profile);
  const groups = live ? live.groups : sp.recorded.groups;
  if (!mayUse(actor, owner, groups)) {
    throw forbidden(actor, owner, server.profile, sp.recorded.displayName, groups ?? [], `Its servers cannot be started by ${actor.name === owner.name ? "you" : owner.name}; delete this one and create another with a profile offered to ${actor.name === owner.name ? "you" : "them"}`);
  }
}
