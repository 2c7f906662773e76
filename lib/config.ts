import { isIP } from "node:net";
import path from "node:path";
import { z } from "zod";
import { cpu, formatIssues, loadProfiles, quantity } from "./profiles-file";

export { loadProfiles, type Profile, type ProfileDefaults, type ProfileOption, type ProfileOverrides } from "./profiles-file";

// The one place that reads process.env (DESIGN.md §6). Every setting is documented in the README's
// configuration table; keep the two in step.

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

// An http(s) base address; the trailing slash is dropped so callers can append paths.
const baseUrl = z
  .string()
  .url()
  .refine((v) => /^https?:\/\//i.test(v), "an http:// or https:// address")
  .transform((v) => v.replace(/\/+$/, ""));

const launchProviders = ["gh", "gl", "gist", "git"] as const;
export type LaunchRules = Partial<Record<(typeof launchProviders)[number], RegExp[]>>;

// JSON such as {"gh": ["^myorg/"], "git": []}: regular expressions per provider, compiled here so
// a typo stops Berth at start instead of letting every repository through. Case-insensitive,
// because GitHub and GitLab names are, and a deny rule must not be dodged by changing case.
const launchRules = z.string().transform((raw, ctx): LaunchRules => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    ctx.addIssue({ code: "custom", message: 'JSON such as {"gh": ["^myorg/"], "git": ["^https://git\\.example\\.org/"]}' });
    return z.NEVER;
  }
  const shape = z.partialRecord(z.enum(launchProviders), z.array(z.string()));
  const checked = shape.safeParse(parsed);
  if (!checked.success) {
    ctx.addIssue({ code: "custom", message: `an object from provider (${launchProviders.join(", ")}) to a list of regular expressions` });
    return z.NEVER;
  }
  const out: LaunchRules = {};
  for (const [provider, patterns] of Object.entries(checked.data) as [keyof LaunchRules, string[]][]) {
    out[provider] = [];
    for (const p of patterns) {
      try {
        out[provider]!.push(new RegExp(p, "i"));
      } catch (err) {
        ctx.addIssue({ code: "custom", message: `${provider}: ${JSON.stringify(p)} is not a regular expression (${(err as Error).message})` });
        return z.NEVER;
      }
    }
  }
  return out;
});

// Comma-separated host names ("git.example.org"), wildcards ("*.corp.example"), addresses or
// CIDR ranges ("10.1.0.0/16") that repositories may be fetched from although they are private.
const hostPatterns = z.string().transform((raw, ctx) => {
  const list = raw.split(",").map((h) => h.trim().toLowerCase()).filter(Boolean);
  for (const h of list) {
    const [addr, bits, extra] = h.split("/");
    const cidrOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (isIP(addr) === 6 ? 128 : 32));
    const hostOk = isIP(addr) !== 0 || (bits === undefined && /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(addr));
    if (extra !== undefined || !cidrOk || !hostOk) {
      ctx.addIssue({ code: "custom", message: `${JSON.stringify(h)} is not a host name, *.domain, address or CIDR range` });
      return z.NEVER;
    }
  }
  return list;
});

// OCI distribution repository-name rules: the prefix followed by any slug must stay a valid name.
const imagePrefix = z
  .string()
  .refine(
    (v) => /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/.test(`${v}a`),
    "lowercase path such as berth/ or binder/build- (no registry host: that comes from BERTH_REGISTRY_URL)",
  );

// "*.notebooks.example.org" or "*.localhost:3000": each person's servers get the host
// <label>.<suffix> (lib/user-hosts). The scheme is BERTH_PUBLIC_URL's.
const DNS_LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const userServersHost = z.string().transform((raw, ctx) => {
  const m = new RegExp(`^\\*\\.((?:${DNS_LABEL}\\.)*${DNS_LABEL})(?::(\\d{1,5}))?$`).exec(raw.trim().toLowerCase());
  if (!m || m[1].length > 200 || (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535))) {
    ctx.addIssue({ code: "custom", message: `${JSON.stringify(raw)} is not a wildcard host; write *. and a domain, with a port if Berth is not on 80/443: *.notebooks.example.org or *.localhost:3000` });
    return z.NEVER;
  }
  return { suffix: m[1], port: m[2] };
});

// Where people ask for a profile they cannot choose (a service desk's request form): an http(s)
// address, optionally with {user} and {summary} placeholders that the add-server form fills in,
// URL-encoded (lib/policy/profile-request.ts).
const profileRequestUrl = z.string().transform((raw, ctx) => {
  const v = raw.trim();
  let ok = false;
  try {
    ok = /^https?:$/.test(new URL(v.replaceAll("{user}", "u").replaceAll("{summary}", "s")).protocol);
  } catch {
    ok = false;
  }
  if (!ok || /[{}]/.test(v.replaceAll("{user}", "").replaceAll("{summary}", ""))) {
    ctx.addIssue({ code: "custom", message: "an http(s) address, with {user} and {summary} where the form should fill them in, e.g. https://support.example.org/servicedesk/customer/portal/2/create/10?summary={summary}&description=Berth+user+{user}" });
    return z.NEVER;
  }
  return v;
});

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  BERTH_DATA_DIR: z.string().default("./data"),
  DATABASE_URL: z.string().url().optional(),
  BERTH_HOST: z.string().default("127.0.0.1"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  BERTH_PUBLIC_URL: z.string().url().optional(),
  BERTH_USER_SERVERS_HOST: userServersHost.optional(),
  NEXTAUTH_SECRET: z.string().min(32, "at least 32 characters").optional(),
  BERTH_SESSION_MAX_AGE_SECONDS: z.coerce.number().int().positive().default(8 * 3600),
  BERTH_SESSION_CHECK_SECONDS: z.coerce.number().min(0).max(60).default(3),
  BERTH_RUNTIME: z.enum(["local", "kubernetes"]).default("local"),
  BERTH_JUPYTER_COMMAND: z.string().optional(),
  BERTH_MAX_NAMED_SERVERS: z.coerce.number().int().min(0).max(100).default(5),
  BERTH_SERVER_NAME_MAX_LENGTH: z.coerce.number().int().min(1).max(63).default(20),
  BERTH_IDLE_TIMEOUT_SECONDS: z.coerce.number().int().min(0).default(2 * 3600),
  BERTH_CULL_INTERVAL_SECONDS: z.coerce.number().int().positive().default(60),
  BERTH_START_TIMEOUT_SECONDS: z.coerce.number().int().positive().optional(),
  BERTH_CPU_LIMIT: cpu.default("1"),
  BERTH_MEMORY_LIMIT: quantity.default("2Gi"),
  BERTH_STORAGE_LIMIT: quantity.default("2Gi"),
  BERTH_PROFILES_FILE: z.string().optional(),
  BERTH_PROFILE_REQUEST_URL: profileRequestUrl.optional(),
  BERTH_ACTIVITY_FLUSH_SECONDS: z.coerce.number().positive().default(15),
  BERTH_CGROUP_ROOT: z.string().default("/sys/fs/cgroup"),
  // Above the ranges /etc/subuid hands out and systemd-nspawn picks from (up to 1879048191), below
  // 2^31 for tools that read uids as signed 32-bit numbers; see lib/runtime/local/server-uids.ts.
  BERTH_LOCAL_UID_BASE: z.coerce.number().int().min(1000).max(2_000_000_000).default(1_900_000_000),
  BERTH_LOCAL_UID_CLAIMS_DIR: z.string().min(1).default("/var/lib/berth/local-uids"),
  // Like JupyterHub's cleanup_servers: by default local servers keep running while Berth restarts.
  BERTH_STOP_SERVERS_ON_SHUTDOWN: bool.default(false),
  BERTH_LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  BERTH_SECURE_COOKIES: bool.optional(),
  BERTH_TRUST_PROXY: bool.default(false),
  BERTH_LOCAL_ACCOUNTS: bool.optional(),
  BERTH_SIGNIN_ATTEMPTS_PER_ADDRESS: z.coerce.number().int().positive().default(20),
  BERTH_KUBECONFIG: z.string().optional(),
  BERTH_KUBE_NAMESPACE: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a Kubernetes namespace name").default("berth"),
  BERTH_KUBE_BUILD_NAMESPACE: z.string().max(63).regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a Kubernetes namespace name").optional(),
  BERTH_KUBE_IMAGE: z.string().default("quay.io/jupyter/base-notebook:2025-10-20"),
  BERTH_KUBE_IMAGE_PULL_POLICY: z.enum(["Always", "IfNotPresent", "Never"]).default("IfNotPresent"),
  BERTH_KUBE_STORAGE_CLASS: z.string().optional(),
  BERTH_CPU_REQUEST: cpu.default("100m"),
  BERTH_MEMORY_REQUEST: quantity.default("512Mi"),
  BERTH_ORPHAN_PVC_GRACE_SECONDS: z.coerce.number().int().min(0).default(3600),
  BERTH_RECONCILE_INTERVAL_SECONDS: z.coerce.number().int().positive().default(60),
  JIRA_URL: z.string().url().optional(),
  JIRA_DEPLOYMENT: z.enum(["server", "cloud"]).default("server"),
  JIRA_ADMIN_GROUPS: z.string().default("jira-administrators"),
  JIRA_MAX_FAILED_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(2),
  JIRA_FAILED_ATTEMPT_WINDOW_SECONDS: z.coerce.number().int().positive().default(15 * 60),
  JIRA_TIMEOUT_SECONDS: z.coerce.number().positive().default(10),
  BERTH_GITHUB_URL: baseUrl.default("https://github.com"),
  BERTH_GITLAB_URL: baseUrl.default("https://gitlab.com"),
  BERTH_GIST_URL: baseUrl.default("https://gist.github.com"),
  BERTH_LAUNCH_ALLOW: launchRules.optional(),
  BERTH_LAUNCH_DENY: launchRules.optional(),
  BERTH_LAUNCH_ALLOW_PRIVATE_HOSTS: bool.default(false),
  BERTH_LAUNCH_ALLOWED_HOSTS: hostPatterns.default([]),
  BERTH_GIT_TIMEOUT_SECONDS: z.coerce.number().positive().default(20),
  BERTH_IMAGE_PREFIX: imagePrefix.default("berth/"),
  // Credentials in the address would end up in log lines; they have their own variables.
  BERTH_REGISTRY_URL: baseUrl.refine((v) => !/^https?:\/\/[^/]*@/i.test(v), "no user name or password in the address; set BERTH_REGISTRY_USERNAME and BERTH_REGISTRY_PASSWORD").optional(),
  BERTH_REGISTRY_USERNAME: z.string().min(1).optional(),
  BERTH_REGISTRY_PASSWORD: z.string().min(1).optional(),
  BERTH_REGISTRY_TIMEOUT_SECONDS: z.coerce.number().positive().default(10),
  BERTH_LOCAL_BUILD_PYTHON: z.string().min(1).optional(),
  BERTH_LOCAL_BUILD_TIMEOUT_SECONDS: z.coerce.number().positive().default(1800),
  BERTH_LOCAL_BUILD_LOG_MAX_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
  BERTH_LOCAL_BUILD_KEEP_DAYS: z.coerce.number().positive().default(30),
  BERTH_BUILD_LIMIT: z.coerce.number().int().min(1).max(1000).default(4),
  BERTH_BUILD_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(3600),
  BERTH_BUILD_TTL_SECONDS: z.coerce.number().int().min(0).default(600),
  BERTH_BUILD_CPU_LIMIT: cpu.default("2"),
  BERTH_BUILD_MEMORY_LIMIT: quantity.default("4Gi"),
  BERTH_BUILD_CPU_REQUEST: cpu.default("500m"),
  BERTH_BUILD_MEMORY_REQUEST: quantity.default("1Gi"),
  BERTH_BUILD_IMAGE: z.string().min(1).default("quay.io/manics/repo2kaniko:0.5.0"),
  BERTH_KANIKO_IMAGE: z.string().min(1).default("quay.io/manics/kaniko-runner:0.5.0"),
  BERTH_BUILD_REGISTRY_SECRET: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "a Kubernetes Secret name").default("berth-registry"),
  BERTH_METRICS_TOKEN: z.string().min(16, "at least 16 characters").optional(),
  // 0: no maximum (a token may be made without an expiry).
  BERTH_TOKEN_MAX_AGE_SECONDS: z.coerce.number().int().min(0).default(365 * 86_400),
});

export type Config = ReturnType<typeof loadConfig>;

/**
 * Build Jobs get a namespace of their own: their Kaniko container runs as root, which the servers'
 * namespace (Pod Security `restricted`) refuses, and a Secret can only be mounted in its own
 * namespace, so nothing a build runs can reach Berth's. Default: the servers' namespace + `-builds`.
 */
function kubeBuildNamespace(namespace: string, configured: string | undefined): string {
  const ns = configured ?? `${namespace}-builds`;
  const invalid = (message: string) => new Error(`Berth's configuration is invalid; fix these environment variables:\n  BERTH_KUBE_BUILD_NAMESPACE: ${message}`);
  if (ns === namespace) throw invalid(`must differ from BERTH_KUBE_NAMESPACE ("${namespace}"): build pods run as root and must not share the servers' namespace and its Secrets`);
  if (ns.length > 63) throw invalid(`"${ns}" (the default, BERTH_KUBE_NAMESPACE + "-builds") is longer than a namespace name may be (63 characters); set it`);
  return ns;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`Berth's configuration is invalid; fix these environment variables:\n${formatIssues(parsed.error)}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.BERTH_DATA_DIR);
  const defaults = { cpu: e.BERTH_CPU_LIMIT, memory: e.BERTH_MEMORY_LIMIT, storage: e.BERTH_STORAGE_LIMIT };
  const profiles = loadProfiles(e.BERTH_PROFILES_FILE, defaults);
  const publicUrl = (e.BERTH_PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, "");
  const buildNamespace = kubeBuildNamespace(e.BERTH_KUBE_NAMESPACE, e.BERTH_KUBE_BUILD_NAMESPACE);
  const userServersHost = e.BERTH_USER_SERVERS_HOST && checkUserServersHost(e.BERTH_USER_SERVERS_HOST, publicUrl);
  return {
    env: e.NODE_ENV,
    dataDir,
    databaseUrl: e.DATABASE_URL,
    host: e.BERTH_HOST,
    port: e.PORT,
    publicUrl,
    secureCookies: e.BERTH_SECURE_COOKIES ?? publicUrl.startsWith("https://"),
    /** Per-person origins for servers (lib/user-hosts); undefined: servers live under /user/ on Berth's own host. */
    userServersHost,
    authSecret: e.NEXTAUTH_SECRET,
    sessionMaxAgeSeconds: e.BERTH_SESSION_MAX_AGE_SECONDS,
    // How long a replica trusts what it last read of a session; revocations reach it within this.
    sessionCheckMs: e.BERTH_SESSION_CHECK_SECONDS * 1000,
    runtime: e.BERTH_RUNTIME,
    jupyterCommand: e.BERTH_JUPYTER_COMMAND,
    policy: {
      maxNamedServers: e.BERTH_MAX_NAMED_SERVERS,
      serverNameMaxLength: e.BERTH_SERVER_NAME_MAX_LENGTH,
      idleTimeoutSeconds: e.BERTH_IDLE_TIMEOUT_SECONDS,
      startTimeoutSeconds: e.BERTH_START_TIMEOUT_SECONDS ?? (e.BERTH_RUNTIME === "kubernetes" ? 300 : 120),
    },
    cullIntervalSeconds: e.BERTH_CULL_INTERVAL_SECONDS,
    activityFlushSeconds: e.BERTH_ACTIVITY_FLUSH_SECONDS,
    cgroupRoot: e.BERTH_CGROUP_ROOT,
    localUidBase: e.BERTH_LOCAL_UID_BASE,
    localUidClaimsDir: path.resolve(e.BERTH_LOCAL_UID_CLAIMS_DIR),
    stopServersOnShutdown: e.BERTH_STOP_SERVERS_ON_SHUTDOWN,
    trustProxy: e.BERTH_TRUST_PROXY,
    kubernetes: {
      kubeconfig: e.BERTH_KUBECONFIG,
      namespace: e.BERTH_KUBE_NAMESPACE,
      /** where build Jobs run (k8s/builds): never the servers' namespace */
      buildNamespace,
      image: e.BERTH_KUBE_IMAGE,
      imagePullPolicy: e.BERTH_KUBE_IMAGE_PULL_POLICY,
      storageClass: e.BERTH_KUBE_STORAGE_CLASS,
      cpuRequest: e.BERTH_CPU_REQUEST,
      memoryRequest: e.BERTH_MEMORY_REQUEST,
      orphanPvcGraceSeconds: e.BERTH_ORPHAN_PVC_GRACE_SECONDS,
      reconcileIntervalSeconds: e.BERTH_RECONCILE_INTERVAL_SECONDS,
    },
    jira: e.JIRA_URL
      ? {
          url: e.JIRA_URL.replace(/\/+$/, ""),
          deployment: e.JIRA_DEPLOYMENT,
          adminGroups: e.JIRA_ADMIN_GROUPS.split(",").map((g) => g.trim()).filter(Boolean),
          timeoutMs: e.JIRA_TIMEOUT_SECONDS * 1000,
        }
      : undefined,
    // Local accounts are the default only when there is no Jira; an operator may keep both.
    localAccounts: e.BERTH_LOCAL_ACCOUNTS ?? !e.JIRA_URL,
    signin: {
      maxFailedPerUser: e.JIRA_MAX_FAILED_ATTEMPTS,
      windowMs: e.JIRA_FAILED_ATTEMPT_WINDOW_SECONDS * 1000,
      maxPerAddress: e.BERTH_SIGNIN_ATTEMPTS_PER_ADDRESS,
    },
    logLevel: e.BERTH_LOG_LEVEL,
    /** The profiles as read at start; readers use profiles() (lib/policy/profiles.ts), which follows the file. */
    profiles,
    profilesFile: e.BERTH_PROFILES_FILE ? path.resolve(e.BERTH_PROFILES_FILE) : undefined,
    profileDefaults: defaults,
    /** Where "Need another profile?" leads (a template with {user} and {summary}); undefined: no link. */
    profileRequestUrl: e.BERTH_PROFILE_REQUEST_URL,
    // Only what a Jupyter needs to find its programs: Berth's own settings (database URL,
    // secrets) must never reach code the user runs.
    hostEnv: { PATH: env.PATH ?? "/usr/local/bin:/usr/bin:/bin", LANG: env.LANG },
    launch: {
      providers: { gh: e.BERTH_GITHUB_URL, gl: e.BERTH_GITLAB_URL, gist: e.BERTH_GIST_URL },
      allow: e.BERTH_LAUNCH_ALLOW ?? {},
      deny: e.BERTH_LAUNCH_DENY ?? {},
      allowPrivateHosts: e.BERTH_LAUNCH_ALLOW_PRIVATE_HOSTS,
      allowedHosts: e.BERTH_LAUNCH_ALLOWED_HOSTS,
      gitTimeoutMs: e.BERTH_GIT_TIMEOUT_SECONDS * 1000,
    },
    registry: {
      url: e.BERTH_REGISTRY_URL,
      // The password is never logged (lib/log.ts also redacts any field named like it).
      username: e.BERTH_REGISTRY_USERNAME,
      password: e.BERTH_REGISTRY_PASSWORD,
      timeoutMs: e.BERTH_REGISTRY_TIMEOUT_SECONDS * 1000,
      imagePrefix: e.BERTH_IMAGE_PREFIX,
    },
    // Builds on the local runtime (lib/runtime/local/build): a checkout plus a Python environment.
    localBuild: {
      python: e.BERTH_LOCAL_BUILD_PYTHON,
      timeoutMs: e.BERTH_LOCAL_BUILD_TIMEOUT_SECONDS * 1000,
      logMaxBytes: e.BERTH_LOCAL_BUILD_LOG_MAX_BYTES,
      keepMs: e.BERTH_LOCAL_BUILD_KEEP_DAYS * 86_400_000,
    },
    // Builds for launches on either runtime (lib/launch/builds); the Job settings only apply on Kubernetes.
    builds: {
      limit: e.BERTH_BUILD_LIMIT,
      timeoutSeconds: e.BERTH_BUILD_TIMEOUT_SECONDS,
      ttlSeconds: e.BERTH_BUILD_TTL_SECONDS,
      cpuLimit: e.BERTH_BUILD_CPU_LIMIT,
      memoryLimit: e.BERTH_BUILD_MEMORY_LIMIT,
      cpuRequest: e.BERTH_BUILD_CPU_REQUEST,
      memoryRequest: e.BERTH_BUILD_MEMORY_REQUEST,
      builderImage: e.BERTH_BUILD_IMAGE,
      kanikoImage: e.BERTH_KANIKO_IMAGE,
      registrySecret: e.BERTH_BUILD_REGISTRY_SECRET,
    },
    /** When set, /metrics asks for `Authorization: Bearer <token>`. */
    metricsToken: e.BERTH_METRICS_TOKEN,
    /** Personal API tokens (lib/tokens): the longest a token may last, in seconds; 0 = no limit. */
    tokens: { maxAgeSeconds: e.BERTH_TOKEN_MAX_AGE_SECONDS },
  };
}

// Berth's own host must not be one of the user hosts, or a person's server would share its origin.
function checkUserServersHost(h: { suffix: string; port: string | undefined }, publicUrl: string) {
  const pub = new URL(publicUrl);
  if (pub.hostname.endsWith(`.${h.suffix}`)) {
    throw new Error(
      `Berth's configuration is invalid: BERTH_PUBLIC_URL's host ${pub.hostname} falls under BERTH_USER_SERVERS_HOST *.${h.suffix}, so Berth would share an origin with a person's servers. Put Berth on the parent (${h.suffix}) or on another domain.`,
    );
  }
  return { suffix: h.suffix, port: h.port, scheme: pub.protocol === "https:" ? ("https" as const) : ("http" as const) };
}

let cached: Config | undefined;
export function config(): Config {
  cached ??= loadConfig();
  return cached;
}
