import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";

// What Kaniko's push amounts to, for a simulated build: a layer and a config blob, then the
// image manifest under the tag, through the OCI distribution API. Credentials come from the
// docker config the pod mounts (the registry Secret); a registry that answers 401 with a Bearer
// challenge gets a token from its realm first, as Kaniko's client does.

const MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
const digestOf = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** host, repository and tag of `host/repository:tag` */
export function splitImage(image: string): { host: string; repository: string; tag: string } {
  const slash = image.indexOf("/");
  const host = image.slice(0, slash);
  const rest = image.slice(slash + 1);
  const colon = rest.lastIndexOf(":");
  return { host, repository: rest.slice(0, colon), tag: rest.slice(colon + 1) };
}

/** user:password for `host` from a docker config.json, if it has any. */
export function credentialsFor(dockerConfigJson: string | undefined, host: string): string | undefined {
  if (!dockerConfigJson) return undefined;
  const auths = (JSON.parse(dockerConfigJson) as { auths?: Record<string, { auth?: string; username?: string; password?: string }> }).auths ?? {};
  const entry = auths[host] ?? auths[`http://${host}`] ?? auths[`https://${host}`];
  if (!entry) return undefined;
  if (entry.auth) return Buffer.from(entry.auth, "base64").toString("utf8");
  return entry.username !== undefined ? `${entry.username}:${entry.password ?? ""}` : undefined;
}

export async function pushImage(image: string, opts: { insecure: boolean; credentials?: string }): Promise<string> {
  const { host, repository, tag } = splitImage(image);
  const base = `${opts.insecure ? "http" : "https"}://${host}`;
  const basic = opts.credentials ? `Basic ${Buffer.from(opts.credentials).toString("base64")}` : undefined;
  let auth = basic;

  async function send(method: string, url: string, headers: Record<string, string> = {}, body?: Buffer): Promise<Response> {
    const go = () => fetch(url, { method, headers: { ...headers, ...(auth ? { authorization: auth } : {}) }, body: body ? new Uint8Array(body) : undefined, signal: AbortSignal.timeout(10_000) });
    let res = await go();
    const challenge = res.headers.get("www-authenticate") ?? "";
    if (res.status === 401 && /^bearer /i.test(challenge)) {
      const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1].toLowerCase(), m[2]]));
      const tokenUrl = new URL(params.realm);
      if (params.service) tokenUrl.searchParams.set("service", params.service);
      tokenUrl.searchParams.set("scope", `repository:${repository}:pull,push`);
      const t = await fetch(tokenUrl, { headers: basic ? { authorization: basic } : {} });
      if (!t.ok) throw new Error(`the token service answered ${t.status}`);
      const json = (await t.json()) as { token?: string; access_token?: string };
      auth = `Bearer ${json.token ?? json.access_token}`;
      res = await go();
    }
    return res;
  }
  async function expect(res: Response, status: number, what: string) {
    if (res.status !== status) throw new Error(`${what}: the registry answered ${res.status} ${(await res.text()).slice(0, 200)}`);
  }
  async function blob(body: Buffer) {
    const digest = digestOf(body);
    const start = await send("POST", `${base}/v2/${repository}/blobs/uploads/`);
    await expect(start, 202, "starting a blob upload");
    const location = new URL(start.headers.get("location")!, base);
    location.searchParams.set("digest", digest);
    await expect(await send("PUT", location.toString(), { "content-type": "application/octet-stream" }, body), 201, "uploading a blob");
    return { digest, size: body.length };
  }

  const raw = Buffer.alloc(1024);
  const layer = await blob(gzipSync(raw));
  const config = await blob(Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", config: { Cmd: ["jupyter", "lab"], User: "1000" }, rootfs: { type: "layers", diff_ids: [digestOf(raw)] } })));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST,
      config: { mediaType: "application/vnd.docker.container.image.v1+json", ...config },
      layers: [{ mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", ...layer }],
    }),
  );
  await expect(await send("PUT", `${base}/v2/${repository}/manifests/${tag}`, { "content-type": MANIFEST }, manifest), 201, "putting the manifest");
  return digestOf(manifest);
}
