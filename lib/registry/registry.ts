import { config, type Config } from "../config";
import { AppError } from "../errors";
import { log } from "../log";
import { shared } from "../shared";
import { registryImageHost } from "./image-name";

// Has this commit been built? Asked of the registry through the OCI distribution API:
// HEAD /v2/<name>/manifests/<tag>, answering with whatever it requires — nothing, Basic auth, or
// the token flow (401 + WWW-Authenticate: Bearer realm=…,service=…,scope=…, a token from the realm
// with Berth's credentials if it has any, then the request again). The registry is the
// operator's, so unlike repository addresses it may be private or on loopback.

export type RegistrySettings = Config["registry"];

export const MANIFEST_TYPES = [
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.oci.image.index.v1+json",
];

// An image is not deleted the moment after it was found; a minute saves a registry round trip
// for every launch of a popular repository. Absence is never cached: a build may push any second.
const POSITIVE_TTL_MS = 60_000;

interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

interface State {
  found: Map<string, number>;
  tokens: Map<string, { token: string; expiresAt: number }>;
  /** How each registry asked to be authenticated last time, so the next request can go first time. */
  challenges: Map<string, Challenge>;
}
const state = () => shared<State>("launch.registry", () => ({ found: new Map(), tokens: new Map(), challenges: new Map() }));

/** Forgets cached answers and tokens (tests, and after an operator changes credentials). */
export function clearRegistryCache(): void {
  const s = state();
  s.found.clear();
  s.tokens.clear();
  s.challenges.clear();
}

/** Parses a WWW-Authenticate header's first challenge: scheme and its key="value" parameters. */
export function parseChallenge(header: string | null | undefined): Challenge | undefined {
  const m = header?.match(/^\s*([A-Za-z][A-Za-z0-9_-]*)\s*(.*)$/s);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*(?:,|$)\s*/gy;
  let p: RegExpExecArray | null;
  while ((p = re.exec(m[2])) !== null && p[0] !== "") params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, "$1") : p[3];
  return { scheme: m[1].toLowerCase(), params };
}

/** Splits host/repository:tag (or @digest). The host is whatever comes before the first slash when it looks like one. */
export function parseImageName(name: string): { host?: string; repository: string; reference: string } {
  let rest = name;
  let host: string | undefined;
  const slash = rest.indexOf("/");
  if (slash > 0) {
    const first = rest.slice(0, slash);
    if (first.includes(".") || first.includes(":") || first === "localhost") {
      host = first;
      rest = rest.slice(slash + 1);
    }
  }
  const at = rest.indexOf("@");
  if (at >= 0) return { host, repository: rest.slice(0, at), reference: rest.slice(at + 1) };
  const colon = rest.lastIndexOf(":");
  if (colon < 0) return { host, repository: rest, reference: "latest" };
  return { host, repository: rest.slice(0, colon), reference: rest.slice(colon + 1) };
}

/** The registry could not be used; `detail` is the short reason (no addresses, no credentials). */
class RegistryUnreachable extends AppError {
  constructor(
    readonly detail: string,
    message: string,
  ) {
    super("unavailable", message, { reason: "registry_unreachable" });
  }
}

function unreachable(settings: RegistrySettings, detail: string): AppError {
  log.warn("container registry not usable", { registry: settings.url, detail });
  return new RegistryUnreachable(
    detail,
    `Berth cannot reach its container registry right now (${detail}), so it cannot tell whether this environment was built already. Try again in a few minutes; if it keeps happening, tell an administrator.`,
  );
}

function basicHeader(settings: RegistrySettings): string | undefined {
  if (!settings.username || settings.password === undefined) return undefined;
  return `Basic ${Buffer.from(`${settings.username}:${settings.password}`).toString("base64")}`;
}

async function send(method: string, url: string, headers: Record<string, string>, settings: RegistrySettings): Promise<Response> {
  try {
    return await fetch(url, { method, headers, redirect: "follow", signal: AbortSignal.timeout(settings.timeoutMs) });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why = e.name === "TimeoutError" ? `no answer within ${Math.round(settings.timeoutMs / 1000)} s` : (e.cause?.code ?? e.cause?.message ?? e.message);
    throw unreachable(settings, why);
  }
}

/** A bearer token for `scope` from the challenge's realm, cached until shortly before it expires. */
async function bearerToken(challenge: Challenge, scope: string, settings: RegistrySettings, fresh: boolean): Promise<string> {
  const realm = challenge.params.realm;
  if (!realm) throw unreachable(settings, "its Bearer challenge names no realm");
  const key = `${realm}|${challenge.params.service ?? ""}|${scope}|${settings.username ?? ""}`;
  const cached = state().tokens.get(key);
  if (cached && cached.expiresAt > Date.now() && !fresh) return cached.token;
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    throw unreachable(settings, "its token realm is not a URL");
  }
  if (challenge.params.service) url.searchParams.set("service", challenge.params.service);
  // No scope: a token for the API root (GET /v2/), as `docker login` asks for one.
  if (scope) url.searchParams.set("scope", scope);
  if (settings.username) url.searchParams.set("account", settings.username);
  const auth = basicHeader(settings);
  const res = await send("GET", url.toString(), auth ? { Authorization: auth } : {}, settings);
  if (res.status === 401 || res.status === 403) {
    throw unreachable(settings, settings.username ? "the token service refused Berth's registry credentials" : "the token service wants credentials; set BERTH_REGISTRY_USERNAME and BERTH_REGISTRY_PASSWORD");
  }
  if (!res.ok) throw unreachable(settings, `its token service answered ${res.status}`);
  let body: { token?: string; access_token?: string; expires_in?: number };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    throw unreachable(settings, "its token service sent something other than JSON");
  }
  const token = body.token ?? body.access_token;
  if (!token) throw unreachable(settings, "its token service sent no token");
  // The spec's default lifetime is 60 s; refresh a little early so a token never expires in flight.
  const lifetime = Math.max(10, body.expires_in ?? 60);
  state().tokens.set(key, { token, expiresAt: Date.now() + (lifetime - 5) * 1000 });
  return token;
}

async function authorization(challenge: Challenge | undefined, repository: string, settings: RegistrySettings, fresh = false): Promise<string | undefined> {
  if (!challenge) return undefined;
  if (challenge.scheme === "bearer") {
    const scope = challenge.params.scope ?? (repository ? `repository:${repository}:pull` : "");
    return `Bearer ${await bearerToken(challenge, scope, settings, fresh)}`;
  }
  if (challenge.scheme === "basic") {
    const basic = basicHeader(settings);
    if (!basic) throw unreachable(settings, "it asks for a user name and password; set BERTH_REGISTRY_USERNAME and BERTH_REGISTRY_PASSWORD");
    return basic;
  }
  throw unreachable(settings, `it asks for ${challenge.scheme} authentication, which Berth does not speak`);
}

/** Whether the registry holds a manifest (image, OCI index or manifest list) for `imageName`. */
export async function imageExists(imageName: string, settings: RegistrySettings = config().registry): Promise<boolean> {
  if (!settings.url) throw new Error("imageExists needs a container registry: BERTH_REGISTRY_URL is not set");
  const { host, repository, reference } = parseImageName(imageName);
  const expected = registryImageHost(settings.url);
  if (host && host !== expected) throw new Error(`image ${imageName} is not on the configured registry (${expected})`);
  const s = state();
  const cacheKey = `${settings.url}|${repository}|${reference}`;
  const hit = s.found.get(cacheKey);
  if (hit && hit > Date.now()) return true;

  const url = `${settings.url}/v2/${repository}/manifests/${reference}`;
  const headers = (auth: string | undefined): Record<string, string> => ({ Accept: MANIFEST_TYPES.join(", "), ...(auth ? { Authorization: auth } : {}) });
  // A registry that challenged before is answered straight away, with this repository's scope.
  const known = s.challenges.get(settings.url);
  const knownScoped = known?.scheme === "bearer" ? { ...known, params: { ...known.params, scope: `repository:${repository}:pull` } } : known;
  let auth = await authorization(knownScoped, repository, settings);
  let res = await send("HEAD", url, headers(auth), settings);
  if (res.status === 401) {
    const challenge = parseChallenge(res.headers.get("www-authenticate"));
    if (!challenge) throw unreachable(settings, "it answered 401 without saying how to authenticate");
    const { realm, service } = challenge.params;
    s.challenges.set(settings.url, { scheme: challenge.scheme, params: { ...(realm ? { realm } : {}), ...(service ? { service } : {}) } });
    // A cached token the registry no longer accepts is replaced, not sent again.
    auth = await authorization(challenge, repository, settings, auth !== undefined);
    res = await send("HEAD", url, headers(auth), settings);
  }
  // A few registries do not implement HEAD on manifests.
  if (res.status === 405 || res.status === 501) {
    res = await send("GET", url, headers(auth), settings);
    await res.body?.cancel();
  }
  if (res.status === 200) {
    s.found.set(cacheKey, Date.now() + POSITIVE_TTL_MS);
    return true;
  }
  if (res.status === 404) return false;
  if (res.status === 401 || res.status === 403) {
    throw unreachable(settings, settings.username ? "it refused Berth's credentials" : "it wants credentials; set BERTH_REGISTRY_USERNAME and BERTH_REGISTRY_PASSWORD");
  }
  throw unreachable(settings, `it answered ${res.status}`);
}

export type RegistryPing = { ok: true } | { ok: false; reason: string };

/**
 * Whether the registry answers its API (GET /v2/) and accepts Berth's credentials, for /health.
 * A 401 is answered the way the registry asks (Basic, or a token from its realm) before it
 * counts: only a registry that still refuses after that, or does not answer, is failing.
 */
export async function pingRegistry(settings: RegistrySettings = config().registry): Promise<RegistryPing> {
  if (!settings.url) return { ok: false, reason: "BERTH_REGISTRY_URL is not set" };
  const url = `${settings.url}/v2/`;
  try {
    let res = await send("GET", url, {}, settings);
    await res.body?.cancel();
    if (res.status === 401) {
      const challenge = parseChallenge(res.headers.get("www-authenticate"));
      if (!challenge) return { ok: false, reason: "it answered 401 without saying how to authenticate" };
      // A fresh token each time: the point is to find out whether the credentials still work.
      const auth = await authorization(challenge, "", settings, true);
      res = await send("GET", url, auth ? { Authorization: auth } : {}, settings);
      await res.body?.cancel();
    }
    if (res.status === 200) return { ok: true };
    if (res.status === 401 || res.status === 403) {
      return { ok: false, reason: settings.username ? "it refused Berth's credentials" : "it wants credentials; set BERTH_REGISTRY_USERNAME and BERTH_REGISTRY_PASSWORD" };
    }
    return { ok: false, reason: `it answered ${res.status}` };
  } catch (err) {
    if (err instanceof RegistryUnreachable) return { ok: false, reason: err.detail };
    throw err;
  }
}
