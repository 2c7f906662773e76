import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";

// The administrators' profiles file (BERTH_PROFILES_FILE, or its ConfigMap): its schema and its
// loading, for lib/config.ts (read at start) and lib/policy/profiles.ts (re-read on change).

export const quantity = z
  .string()
  .regex(/^\d+(\.\d+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$/, "a Kubernetes quantity such as 2Gi or 512Mi");

export const cpu = z.string().regex(/^\d+(\.\d+)?m?$/, "a CPU quantity such as 1, 0.5 or 500m");

export function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`).join("\n");
}

// What a choice within a profile may change; applied over the profile, which is applied over
// Berth's defaults (base → profile → choice).
const overridesSchema = z.strictObject({ cpu: cpu.optional(), memory: quantity.optional(), storage: quantity.optional(), image: z.string().min(1).optional() });
const profileOptionSchema = z
  .object({
    displayName: z.string().min(1),
    choices: z
      .record(
        z.string().regex(/^[a-z0-9][a-z0-9._-]{0,39}$/, "choice names: lowercase letters, digits, ., - and _"),
        z.object({ displayName: z.string().min(1), description: z.string().default(""), overrides: overridesSchema.default({}) }),
      )
      .refine((c) => Object.keys(c).length > 0, "at least one choice"),
    default: z.string().optional(),
  })
  .refine((o) => o.default === undefined || Object.hasOwn(o.choices, o.default), { message: "default must name one of the choices", path: ["default"] });

const profileSchema = z.object({
  slug: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, "lowercase letters, digits and hyphens"),
  displayName: z.string().min(1),
  description: z.string().default(""),
  cpu: cpu.optional(),
  memory: quantity.optional(),
  storage: quantity.optional(),
  image: z.string().optional(),
  /** This profile's idle stop (0: never); unset: the operator's BERTH_IDLE_TIMEOUT_SECONDS. */
  idleTimeoutSeconds: z.number().int().min(0).max(366 * 86_400).optional(),
  default: z.boolean().default(false),
  // Who may choose it: the groups (Jira groups, or a local account's groups); absent: everyone.
  groups: z.array(z.string().trim().min(1).max(200)).optional(),
  // KubeSpawner's profile_options: choices within the profile, each overriding its resources.
  options: z.record(z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, "option names: lowercase letters, digits, - and _"), profileOptionSchema).optional(),
});
const profilesFileSchema = z.object({ profiles: z.array(profileSchema).min(1) });

export type ProfileOption = z.infer<typeof profileOptionSchema>;
export type ProfileOverrides = z.infer<typeof overridesSchema>;
export type Profile = Required<Omit<z.infer<typeof profileSchema>, "image" | "idleTimeoutSeconds" | "groups" | "options">> & {
  image?: string;
  idleTimeoutSeconds?: number;
  groups?: string[];
  options?: Record<string, ProfileOption>;
};

export type ProfileDefaults = { cpu: string; memory: string; storage: string };

export function loadProfiles(file: string | undefined, defaults: ProfileDefaults): Profile[] {
  if (!file) {
    return [
      {
        slug: "default",
        displayName: "Standard",
        description: `${defaults.cpu} CPU, ${defaults.memory} memory, ${defaults.storage} storage`,
        ...defaults,
        default: true,
      },
    ];
  }
  if (!existsSync(file)) throw new Error(`BERTH_PROFILES_FILE points at ${file}, which does not exist.`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`BERTH_PROFILES_FILE (${file}) is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = profilesFileSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`BERTH_PROFILES_FILE (${file}) is invalid:\n${formatIssues(parsed.error)}`);
  const list = parsed.data.profiles.map((p) => ({
    ...p,
    cpu: p.cpu ?? defaults.cpu,
    memory: p.memory ?? defaults.memory,
    storage: p.storage ?? defaults.storage,
  }));
  if (new Set(list.map((p) => p.slug)).size !== list.length) throw new Error(`BERTH_PROFILES_FILE (${file}) repeats a profile slug.`);
  // Default servers (and launches) get the default profile without anyone choosing it, so it must
  // be open to everyone; unmarked, the first profile open to everyone is the default.
  const marked = list.find((p) => p.default);
  if (marked?.groups) throw new Error(`BERTH_PROFILES_FILE (${file}): the default profile "${marked.slug}" names groups, but default servers use it for everyone. Remove its "groups", or mark a profile open to everyone as the default.`);
  if (!marked) {
    const open = list.findIndex((p) => !p.groups);
    if (open < 0) throw new Error(`BERTH_PROFILES_FILE (${file}): every profile names groups; leave at least one open to everyone (no "groups"), for default servers.`);
    list[open] = { ...list[open], default: true };
  }
  return list;
}

