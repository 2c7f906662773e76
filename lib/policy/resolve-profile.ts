import { z } from "zod";
import type { Profile } from "../config";
import type { Prisma } from "../db/client";
import { AppError } from "../errors";

// A profile as a server records it at creation: the profile's resources with the chosen options'
// overrides applied (Berth's defaults → profile → choice, as KubeSpawner's profile_options do).
// Every start uses the record, so an edited or removed profile changes nothing for servers that
// exist (a server made as "Standard" stays Standard, with Standard's resources of that day).

const choiceRecord = z.object({ option: z.string(), optionDisplayName: z.string(), choice: z.string(), displayName: z.string() });

export const recordedProfileSchema = z.object({
  slug: z.string(),
  displayName: z.string(),
  cpu: z.string(),
  memory: z.string(),
  storage: z.string(),
  image: z.string().optional(),
  idleTimeoutSeconds: z.number().int().min(0).optional(),
  /** The profile's groups when it was recorded: who may start it once the profile is retired. */
  groups: z.array(z.string()).optional(),
  choices: z.array(choiceRecord).default([]),
});

export type RecordedProfile = z.infer<typeof recordedProfileSchema>;

/** The record on a server row, or undefined (a server made before profiles were recorded). */
export function readRecordedProfile(value: unknown): RecordedProfile | undefined {
  const r = recordedProfileSchema.safeParse(value);
  return r.success ? r.data : undefined;
}

/** Administrators may use every profile; anyone else the profiles open to everyone or to one of their groups. */
export function mayUseProfile(groups: readonly string[] | undefined, who: { isAdmin: boolean; groups: readonly string[] }): boolean {
  return who.isAdmin || groups === undefined || groups.some((g) => who.groups.includes(g));
}

/** Chosen options as a person or a script sends them: option name → choice name. */
export type ChosenOptions = Record<string, string>;

export function resolveProfile(profile: Profile, chosen: ChosenOptions = {}): RecordedProfile {
  const options = profile.options ?? {};
  const names = Object.keys(options);
  for (const key of Object.keys(chosen)) {
    if (!Object.hasOwn(options, key)) {
      throw new AppError(
        "invalid_profile",
        names.length
          ? `The profile "${profile.displayName}" has no option "${key}". Its options are: ${names.join(", ")}.`
          : `The profile "${profile.displayName}" has no options to choose; send none.`,
      );
    }
  }
  let resources: { cpu: string; memory: string; storage: string; image?: string } = { cpu: profile.cpu, memory: profile.memory, storage: profile.storage, image: profile.image };
  const choices: RecordedProfile["choices"] = [];
  for (const [key, option] of Object.entries(options)) {
    const wanted = Object.hasOwn(chosen, key) ? chosen[key] : (option.default ?? Object.keys(option.choices)[0]);
    if (!Object.hasOwn(option.choices, wanted)) {
      throw new AppError("invalid_profile", `"${wanted}" is not a choice of ${option.displayName} in the profile "${profile.displayName}". Choose one of: ${Object.keys(option.choices).join(", ")}.`);
    }
    const choice = option.choices[wanted];
    resources = { ...resources, ...definedOnly(choice.overrides) };
    choices.push({ option: key, optionDisplayName: option.displayName, choice: wanted, displayName: choice.displayName });
  }
  // Set by profiles that have their own idle timeout; recorded with the rest of what the server was made with (the
  // idle stop itself follows the profiles file as it is now: lib/policy/profiles.ts).
  const idle = (profile as { idleTimeoutSeconds?: number }).idleTimeoutSeconds;
  return recordedProfileSchema.parse({
    slug: profile.slug,
    displayName: profile.displayName,
    ...definedOnly(resources),
    ...(idle !== undefined ? { idleTimeoutSeconds: idle } : {}),
    ...(profile.groups ? { groups: profile.groups } : {}),
    choices,
  });
}

/** What the runtimes size a server by (ServerSpec.profile), from a record. */
export function runtimeProfile(r: RecordedProfile): Profile {
  return {
    slug: r.slug,
    displayName: r.displayName,
    description: "",
    cpu: r.cpu,
    memory: r.memory,
    storage: r.storage,
    default: false,
    ...(r.image ? { image: r.image } : {}),
    ...(r.idleTimeoutSeconds !== undefined ? { idleTimeoutSeconds: r.idleTimeoutSeconds } : {}),
  };
}

/** "Standard" or "Standard · Python 3.11" (the choices made). */
export function recordedLabel(r: RecordedProfile): string {
  return [r.displayName, ...r.choices.map((c) => c.displayName)].join(" · ");
}

function definedOnly<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The record as the server row stores it (JSON without undefined fields). */
export function recordJson(r: RecordedProfile): Prisma.InputJsonObject {
  return JSON.parse(JSON.stringify(r)) as Prisma.InputJsonObject;
}
