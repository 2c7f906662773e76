import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { GET as getBadge } from "../../app/badge.svg/route";
import { GET as getRepoProviders } from "../../app/api/repoproviders/route";
import { GET as getHealth } from "../../app/health/route";
import { GET as getMetrics } from "../../app/metrics/route";
import { GET as getVersions } from "../../app/versions/route";
import { config, loadConfig } from "../../lib/config";
import { closeDb, connectDatabase, db } from "../../lib/db/client";
import { clearRegistryCache } from "../../lib/registry/registry";
import { observeLaunch, resetMetrics, trackBuild } from "../../lib/metrics";
import { checkHealth } from "../../lib/ops/health";
import { startRegistry, type RegistryDouble } from "../doubles/registry";
import { makeUser } from "../helpers";

// The operations and compatibility endpoints, called through their route modules as Next.js
// calls them, against the real PostgreSQL and Debian's real docker-registry on loopback.

// Read once, on the first config() call (see test/setup/integration-env.ts).
const METRICS_TOKEN = "scrape-token-for-the-ops-suite";
process.env.BERTH_METRICS_TOKEN = METRICS_TOKEN;

const ctx = { params: Promise.resolve({}) };
const get = (handler: (req: Request, c: typeof ctx) => Promise<Response>, url: string, headers: Record<string, string> = {}) =>
  handler(new Request(`http://berth.test${url}`, { headers }), ctx);

interface HealthBody {
  status: string;
  message?: string;
  checks: Record<string, { ok: boolean; durationMs: number; message?: string }>;
}

describe("GET /health", () => {
  it("answers 200 with the database check, timed, and no registry or cluster check where none is configured", async () => {
    const res = await get(getHealth, "/health");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as HealthBody;
    expect(body.status).toBe("ok");
    expect(Object.keys(body.checks)).toEqual(["database"]);
    expect(body.checks.database.ok).toBe(true);
    expect(body.checks.database.durationMs).toBeGreaterThanOrEqual(0);
    expect(body.checks.database.message).toBeUndefined();
  });

  it("answers the liveness probe without touching anything, and refuses an unknown probe", async () => {
    const live = await get(getHealth, "/health?probe=live");
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: "ok", checks: {} });
    const bad = await get(getHealth, "/health?probe=everything");
    expect(bad.status).toBe(422);
  });

  describe("with the database down", () => {
    afterEach(async () => {
      await closeDb();
      connectDatabase(inject("databaseUrl"), { embedded: false });
    });

    it("answers 503 with a short reason (readiness too), while liveness stays 200", async () => {
      await closeDb();
      // A port nothing listens on: the connection is refused at once.
      connectDatabase("postgresql://berth:secret-password@127.0.0.1:1/berth", { embedded: false });
      for (const url of ["/health", "/health?probe=ready"]) {
        const res = await get(getHealth, url);
        expect(res.status).toBe(503);
        const text = await res.text();
        expect(text).not.toContain("secret-password");
        expect(text).not.toContain("127.0.0.1");
        const body = JSON.parse(text) as HealthBody;
        expect(body.status).toBe("unavailable");
        expect(body.message).toBe("The database is not answering.");
        expect(body.checks.database).toMatchObject({ ok: false, message: "The database is not answering." });
      }
      expect((await get(getHealth, "/health?probe=live")).status).toBe(200);
    });
  });
});

describe("the registry check (Debian's docker-registry)", () => {
  const registries: RegistryDouble[] = [];
  let saved: ReturnType<typeof config>["registry"];
  const settings = (reg: RegistryDouble, env: Record<string, string> = {}) =>
    loadConfig({ BERTH_REGISTRY_URL: reg.url, ...env } as unknown as NodeJS.ProcessEnv).registry;
  let open: RegistryDouble;
  let basic: RegistryDouble;
  let token: RegistryDouble;

  beforeAll(async () => {
    saved = { ...config().registry };
    [open, basic, token] = await Promise.all([startRegistry(), startRegistry({ auth: "basic" }), startRegistry({ auth: "token" })]);
    registries.push(open, basic, token);
  });
  afterEach(() => {
    Object.assign(config().registry, saved);
    clearRegistryCache();
  });
  afterAll(async () => {
    await Promise.all(registries.map((r) => r.close()));
  });

  it("is part of /health once BERTH_REGISTRY_URL is set, and passes for an open registry", async () => {
    Object.assign(config().registry, settings(open));
    const res = await get(getHealth, "/health");
    const body = (await res.json()) as HealthBody;
    expect(res.status).toBe(200);
    expect(Object.keys(body.checks).sort()).toEqual(["database", "registry"]);
    expect(body.checks.registry.ok).toBe(true);
    // Readiness does not depend on the registry.
    const ready = (await (await get(getHealth, "/health?probe=ready")).json()) as HealthBody;
    expect(Object.keys(ready.checks)).toEqual(["database"]);
  });

  it("passes behind Basic auth with the right password and fails, without the password, with the wrong one", async () => {
    const good = await checkHealth({ only: ["registry"], registry: settings(basic, { BERTH_REGISTRY_USERNAME: basic.username, BERTH_REGISTRY_PASSWORD: basic.password }) });
    expect(good.ok).toBe(true);

    Object.assign(config().registry, settings(basic, { BERTH_REGISTRY_USERNAME: basic.username, BERTH_REGISTRY_PASSWORD: "wrong-password-123" }));
    const res = await get(getHealth, "/health");
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(text).not.toContain("wrong-password-123");
    const body = JSON.parse(text) as HealthBody;
    expect(body.checks.database.ok).toBe(true);
    expect(body.checks.registry).toMatchObject({ ok: false, message: "The container registry is not usable: it refused Berth's credentials." });
    expect(body.message).toBe(body.checks.registry.message);

    const none = await checkHealth({ only: ["registry"], registry: settings(basic) });
    expect(none.checks.registry!.message).toMatch(/wants credentials|asks for a user name and password/);
  });

  it("follows the token flow: a token for the API root with the right credentials, a failure with wrong ones", async () => {
    const good = await checkHealth({ only: ["registry"], registry: settings(token, { BERTH_REGISTRY_USERNAME: token.username, BERTH_REGISTRY_PASSWORD: token.password }) });
    expect(good.checks.registry).toMatchObject({ ok: true });
    const asked = token.tokenRequests.at(-1)!;
    expect(asked).toMatchObject({ authenticated: true, account: token.username, scope: [] });

    const bad = await checkHealth({ only: ["registry"], registry: settings(token, { BERTH_REGISTRY_USERNAME: token.username, BERTH_REGISTRY_PASSWORD: "nope-nope-nope" }) });
    expect(bad.checks.registry).toMatchObject({ ok: false });
    expect(bad.checks.registry!.message).toContain("refused Berth's registry credentials");
  });

  it("fails with a short reason when nothing answers, and within its deadline when the registry hangs", async () => {
    // Started and stopped: the port is free, so the connection is refused.
    const gone = await startRegistry();
    const url = gone.url;
    await gone.close();
    const refused = await checkHealth({ only: ["registry"], registry: { ...settings(open), url } });
    expect(refused.checks.registry).toMatchObject({ ok: false, message: "The container registry is not usable: ECONNREFUSED." });

    const hang = http.createServer(() => undefined);
    await new Promise<void>((resolve) => hang.listen(0, "127.0.0.1", resolve));
    try {
      const started = Date.now();
      const slow = await checkHealth({ only: ["registry"], timeoutMs: 500, registry: { ...settings(open), url: `http://127.0.0.1:${(hang.address() as AddressInfo).port}` } });
      expect(Date.now() - started).toBeLessThan(2000);
      expect(slow.checks.registry!.ok).toBe(false);
      expect(slow.checks.registry!.message).toMatch(/no answer within|did not answer within/);
    } finally {
      hang.closeAllConnections();
      await new Promise<void>((resolve) => hang.close(() => resolve()));
    }
  });
});

describe("GET /metrics", () => {
  beforeAll(() => resetMetrics());

  it("asks for the scrape token when BERTH_METRICS_TOKEN is set", async () => {
    for (const headers of [{} as Record<string, string>, { authorization: "Bearer not-the-token" }, { authorization: `Basic ${Buffer.from(`x:${METRICS_TOKEN}`).toString("base64")}` }]) {
      const res = await get(getMetrics, "/metrics", headers);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer /);
      const body = (await res.json()) as { error: string; message: string };
      expect(body.error).toBe("unauthenticated");
      expect(body.message).toContain("BERTH_METRICS_TOKEN");
      expect(body.message).not.toContain(METRICS_TOKEN);
    }
  });

  it("serves the text format with servers by state from the database, what this process counted, and no names", async () => {
    const alice = await makeUser("alice-private-name");
    const bob = await makeUser("bob");
    await db().server.createMany({
      data: [
        { ownerId: alice.id!, name: "", profile: "default", token: "t1", state: "running" },
        { ownerId: alice.id!, name: "secret-project", profile: "default", token: "t2", state: "running" },
        { ownerId: bob.id!, name: "", profile: "default", token: "t3", state: "stopped" },
      ],
    });
    trackBuild("gh")("success");
    observeLaunch("gh", "success", 12);

    const res = await get(getMetrics, "/metrics", { authorization: `Bearer ${METRICS_TOKEN}` });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await res.text();
    const users = await db().user.count();
    expect(text).toContain("# TYPE berth_servers gauge");
    expect(text).toMatch(/^berth_servers\{state="running"\} 2$/m);
    expect(text).toMatch(/^berth_servers\{state="stopped"\} 1$/m);
    expect(text).toMatch(/^berth_servers\{state="failed"\} 0$/m);
    expect(text).toMatch(new RegExp(`^berth_users ${users}$`, "m"));
    expect(text).toMatch(/^berth_database_up 1$/m);
    expect(text).toMatch(/^berth_builds_total\{provider="gh",status="success"\} 1$/m);
    expect(text).toMatch(/^berth_launch_duration_seconds_bucket\{provider="gh",status="success",le="10"\} 0$/m);
    expect(text).toMatch(/^berth_launch_duration_seconds_bucket\{provider="gh",status="success",le="20"\} 1$/m);
    expect(text).toMatch(/^berth_builds_in_progress 0$/m);
    for (const name of ["alice", "bob", "secret-project"]) expect(text).not.toContain(name);
  });
});

describe("GET /versions", () => {
  it("answers in BinderHub's shape with Berth's version and the local builder", async () => {
    const res = await get(getVersions, "/versions");
    expect(res.status).toBe(200);
    const version = (JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../../package.json"), "utf8")) as { version: string }).version;
    expect(await res.json()).toEqual({ builder_info: { build_image: "local: python venv" }, binderhub: `berth ${version}`, berth: version });
  });
});

describe("GET /api/repoproviders", () => {
  it("lists the enabled providers in BinderHub's shape", async () => {
    const res = await get(getRepoProviders, "/api/repoproviders");
    expect(res.status).toBe(200);
    const list = (await res.json()) as { id: string; displayName: string; detect: { regex: string }; repo: { label: string }; ref: { enabled: boolean; default: string } }[];
    expect(list.map((p) => p.id)).toEqual(["gh", "gl", "gist", "git"]);
    const gh = list[0];
    expect(gh).toMatchObject({ displayName: "GitHub", ref: { enabled: true, default: "HEAD" } });
    expect(new RegExp(gh.detect.regex).exec("https://github.com/jupyterhub/binder-examples")?.groups?.repo).toBe("jupyterhub/binder-examples");
  });
});

describe("GET /badge.svg", () => {
  it("serves a static, accessible, cacheable SVG", async () => {
    const res = await getBadge();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/svg+xml; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("public, max-age=86400");
    const svg = await res.text();
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]* role="img" aria-label="Launch in Berth">/);
    expect(svg).toContain("<title>Launch in Berth</title>");
    expect(svg).toContain(">launch</text>");
    expect(svg).toContain(">Berth</text>");
    expect(svg).not.toMatch(/<script|on\w+=|href=/i);
  });
});
