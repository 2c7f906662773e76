import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createHash, createPrivateKey, randomBytes, sign, type KeyObject } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { type AddressInfo } from "node:net";
import { freePort } from "../../lib/runtime/local/local-ports";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import bcrypt from "bcryptjs";

// A real container registry: Debian's docker-registry (distribution 2.8) on 127.0.0.1 with its
// own temporary storage, in one of three modes:
//   none   anyone may pull and push
//   basic  htpasswd (bcrypt) users, as a small private registry is often run
//   token  the token flow Docker Hub, GHCR, Harbor and Quay use: the registry answers 401 with a
//          Bearer challenge naming a token service; this file runs that service, which hands out
//          JWTs signed with a throwaway key whose certificate the registry trusts
// pushImage() uploads a config blob and a layer through the distribution API and PUTs a manifest
// (Docker v2 or OCI, optionally under a manifest list / OCI index), as a build's push would.

const run = promisify(execFile);

export type RegistryAuth = "none" | "basic" | "token";
export type ManifestKind = "docker" | "oci" | "docker-list" | "oci-index";

export interface TokenRequest {
  account: string | undefined;
  scope: string[];
  service: string | undefined;
  authenticated: boolean;
}

export interface RegistryDouble {
  /** http://127.0.0.1:<port> — the value for BERTH_REGISTRY_URL. */
  url: string;
  /** 127.0.0.1:<port> — what image names start with. */
  host: string;
  username: string;
  password: string;
  tokenRequests: TokenRequest[];
  /** Pushes an image; returns the digest of the manifest the tag points at. */
  pushImage(repository: string, tag: string, kind?: ManifestKind): Promise<string>;
  deleteImage(repository: string, tag: string): Promise<void>;
  close(): Promise<void>;
}

const MEDIA = {
  docker: "application/vnd.docker.distribution.manifest.v2+json",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
  dockerLayer: "application/vnd.docker.image.rootfs.diff.tar.gzip",
  oci: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  ociLayer: "application/vnd.oci.image.layer.v1.tar+gzip",
};


const digestOf = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;
const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

export async function startRegistry(opts: { auth?: RegistryAuth; anonymousPull?: boolean } = {}): Promise<RegistryDouble> {
  const auth = opts.auth ?? "none";
  const dir = mkdtempSync(path.join(tmpdir(), "berth-registry-"));
  const username = "builder";
  const password = randomBytes(9).toString("base64url");
  const service = "berth-test-registry";
  const issuer = "berth-test-token-service";
  const tokenRequests: TokenRequest[] = [];
  let tokenServer: http.Server | undefined;
  let signingKey: KeyObject | undefined;
  let certDer = "";

  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const url = `http://${host}`;

  let authYaml = "";
  if (auth === "basic") {
    writeFileSync(path.join(dir, "htpasswd"), `${username}:${bcrypt.hashSync(password, 4)}\n`);
    authYaml = `auth:\n  htpasswd:\n    realm: berth-test\n    path: ${path.join(dir, "htpasswd")}\n`;
  }
  if (auth === "token") {
    await run(
      "openssl",
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "2", "-subj", "/CN=berth-test-token", "-addext", "keyUsage=critical,digitalSignature"],
      { cwd: dir },
    );
    signingKey = createPrivateKey(readFileSync(path.join(dir, "key.pem")));
    certDer = readFileSync(path.join(dir, "cert.pem"), "utf8").replace(/-----[^-]+-----|\s/g, "");
    tokenServer = http.createServer((req, res) => {
      const u = new URL(req.url ?? "/", "http://token");
      const header = req.headers.authorization ?? "";
      const [user, ...pw] = header.startsWith("Basic ") ? Buffer.from(header.slice(6), "base64").toString().split(":") : [];
      const authenticated = user === username && pw.join(":") === password;
      const scope = u.searchParams.getAll("scope");
      tokenRequests.push({ account: u.searchParams.get("account") ?? undefined, scope, service: u.searchParams.get("service") ?? undefined, authenticated });
      if (header && !authenticated) {
        res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ details: "incorrect username or password" }));
        return;
      }
      if (!authenticated && !opts.anonymousPull) {
        res.writeHead(401, { "content-type": "application/json", "www-authenticate": 'Basic realm="berth-test"' }).end(JSON.stringify({ details: "authentication required" }));
        return;
      }
      const access = scope.map((s) => {
        const [type, ...rest] = s.split(":");
        const actions = rest.pop()!.split(",");
        return { type, name: rest.join(":"), actions: authenticated ? actions : actions.filter((a) => a === "pull") };
      });
      const token = mint(access, user ?? "");
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }));
    });
    await new Promise<void>((resolve) => tokenServer!.listen(0, "127.0.0.1", resolve));
    const realm = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/token`;
    authYaml = `auth:\n  token:\n    realm: ${realm}\n    service: ${service}\n    issuer: ${issuer}\n    rootcertbundle: ${path.join(dir, "cert.pem")}\n`;
  }

  // A JWT as distribution's token auth verifies it: ES256, the signing certificate in x5c.
  function mint(access: { type: string; name: string; actions: string[] }[], subject: string): string {
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ typ: "JWT", alg: "ES256", x5c: [certDer] }));
    const claims = b64url(JSON.stringify({ iss: issuer, sub: subject, aud: service, exp: now + 300, nbf: now - 60, iat: now, jti: randomBytes(8).toString("hex"), access }));
    const signature = sign("sha256", Buffer.from(`${header}.${claims}`), { key: signingKey!, dsaEncoding: "ieee-p1363" });
    return `${header}.${claims}.${b64url(signature)}`;
  }

  const configPath = path.join(dir, "config.yml");
  writeFileSync(
    configPath,
    [
      "version: 0.1",
      "log:",
      "  level: error",
      "  accesslog:",
      "    disabled: true",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${path.join(dir, "storage")}`,
      "  delete:",
      "    enabled: true",
      "  maintenance:",
      "    uploadpurging:",
      "      enabled: false",
      "http:",
      `  addr: ${host}`,
      `  secret: ${randomBytes(16).toString("hex")}`,
      authYaml,
    ].join("\n"),
  );

  let output = "";
  const child: ChildProcess = spawn("docker-registry", ["serve", configPath], { stdio: ["ignore", "pipe", "pipe"] });
  const collect = (b: Buffer) => (output = (output + b.toString()).slice(-4000));
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  async function close() {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
    if (tokenServer) {
      tokenServer.closeAllConnections();
      await new Promise<void>((resolve) => tokenServer!.close(() => resolve()));
    }
    rmSync(dir, { recursive: true, force: true });
  }

  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) {
      await close();
      throw new Error(`docker-registry exited at start:\n${output}`);
    }
    const up = await fetch(`${url}/v2/`).then(
      (r) => r.status === 200 || r.status === 401,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) {
      await close();
      throw new Error(`docker-registry did not answer on ${url} within 20 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  const authHeader = (repository: string): Record<string, string> => {
    if (auth === "basic") return { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}` };
    if (auth === "token") return { authorization: `Bearer ${mint([{ type: "repository", name: repository, actions: ["pull", "push", "delete"] }], username)}` };
    return {};
  };

  async function expectStatus(res: Response, want: number, what: string) {
    if (res.status !== want) throw new Error(`${what}: registry answered ${res.status} ${await res.text()}`);
  }

  async function putBlob(repository: string, body: Buffer): Promise<{ digest: string; size: number }> {
    const digest = digestOf(body);
    const start = await fetch(`${url}/v2/${repository}/blobs/uploads/`, { method: "POST", headers: authHeader(repository) });
    await expectStatus(start, 202, "starting a blob upload");
    const location = new URL(start.headers.get("location")!, url);
    location.searchParams.set("digest", digest);
    const put = await fetch(location, { method: "PUT", headers: { ...authHeader(repository), "content-type": "application/octet-stream" }, body: new Uint8Array(body) });
    await expectStatus(put, 201, "finishing a blob upload");
    return { digest, size: body.length };
  }

  async function putManifest(repository: string, reference: string, mediaType: string, manifest: object): Promise<{ digest: string; size: number }> {
    const body = Buffer.from(JSON.stringify(manifest));
    const res = await fetch(`${url}/v2/${repository}/manifests/${reference}`, { method: "PUT", headers: { ...authHeader(repository), "content-type": mediaType }, body: new Uint8Array(body) });
    await expectStatus(res, 201, `putting a ${mediaType} manifest`);
    return { digest: digestOf(body), size: body.length };
  }

  async function pushImage(repository: string, tag: string, kind: ManifestKind = "docker"): Promise<string> {
    const oci = kind === "oci" || kind === "oci-index";
    // An empty tar (two zero blocks), gzipped, is a layer any runtime would accept.
    const layerRaw = Buffer.alloc(1024);
    const layer = await putBlob(repository, gzipSync(layerRaw));
    const config = await putBlob(
      repository,
      Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", config: { Cmd: ["jupyter", "lab"] }, rootfs: { type: "layers", diff_ids: [digestOf(layerRaw)] } })),
    );
    const manifestType = oci ? MEDIA.oci : MEDIA.docker;
    const manifest = {
      schemaVersion: 2,
      mediaType: manifestType,
      config: { mediaType: oci ? MEDIA.ociConfig : MEDIA.dockerConfig, ...config },
      layers: [{ mediaType: oci ? MEDIA.ociLayer : MEDIA.dockerLayer, ...layer }],
    };
    if (kind === "docker" || kind === "oci") return (await putManifest(repository, tag, manifestType, manifest)).digest;
    const body = Buffer.from(JSON.stringify(manifest));
    const inner = await putManifest(repository, digestOf(body), manifestType, manifest);
    const listType = oci ? MEDIA.ociIndex : MEDIA.dockerList;
    const list = { schemaVersion: 2, mediaType: listType, manifests: [{ mediaType: manifestType, ...inner, platform: { architecture: "amd64", os: "linux" } }] };
    return (await putManifest(repository, tag, listType, list)).digest;
  }

  async function deleteImage(repository: string, tag: string): Promise<void> {
    const accept = [MEDIA.docker, MEDIA.dockerList, MEDIA.oci, MEDIA.ociIndex].join(", ");
    const head = await fetch(`${url}/v2/${repository}/manifests/${tag}`, { method: "HEAD", headers: { ...authHeader(repository), accept } });
    await expectStatus(head, 200, "finding the manifest to delete");
    const digest = head.headers.get("docker-content-digest")!;
    const del = await fetch(`${url}/v2/${repository}/manifests/${digest}`, { method: "DELETE", headers: authHeader(repository) });
    await expectStatus(del, 202, "deleting a manifest");
  }

  return { url, host, username, password, tokenRequests, pushImage, deleteImage, close };
}
