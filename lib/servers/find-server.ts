import { db } from "../db/client";
import { AppError } from "../errors";
import { isPossibleServerName } from "../http/path-segments";
import { recordJson, type RecordedProfile } from "../policy/resolve-profile";
import { serverLabel } from "./types";

export async function findServer(ownerId: string, ownerName: string, name: string) {
  const server = isPossibleServerName(name) ? await db().server.findUnique({ where: { ownerId_name: { ownerId, name } } }) : null;
  if (!server) {
    throw new AppError("not_found", `${ownerName} has no server named "${serverLabel(name)}". Check the name on the My servers page.`);
  }
  return server;
}

/** The default server, created with `profile` (recorded as resolved) when missing. */
export async function ensureDefaultServer(ownerId: string, profile: RecordedProfile) {
  return db().server.upsert({
    where: { ownerId_name: { ownerId, name: "" } },
    create: { ownerId, name: "", profile: profile.slug, profileSpec: recordJson(profile), token: newToken() },
    update: {},
  });
}

export function newToken(): string {
  return crypto.randomUUID().replaceAll("-", "") + crypto.randomUUID().replaceAll("-", "");
}
