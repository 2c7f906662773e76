import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { db } from "../../lib/db/client";
import { createToken } from "../../lib/tokens/tokens";
import { makeUser } from "../helpers";
import { sessionCookie } from "../helpers/proxy-harness";
import { startBerth, type Running } from "./servers";

// A token-authenticated script (Python with `requests`, as JupyterHub's own server-api example)
// does everything /hub/api lists against a real Berth: no cookie, no browser.

// One session secret for this process (which signs the cookie) and the Berth under test, as the
// replicas of one deployment share it. Set before anything reads the configuration.
const SECRET = "compat-session-secret-0123456789abcdef0123456789";
process.env.NEXTAUTH_SECRET = SECRET;

let berth: Running;
let token: string;
let rootActor: Awaited<ReturnType<typeof makeUser>>;

beforeAll(async () => {
  await makeUser("alice");
  const root = (rootActor = await makeUser("root", true));
  token = (await createToken(root, "root", { note: "the script" })).token;
  berth = await startBerth({ databaseUrl: inject("databaseUrl"), env: { NEXTAUTH_SECRET: SECRET } });
}, 240_000);

afterAll(async () => {
  await berth?.stop();
}, 120_000);

function runScript(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // Debian's Python: it has `requests` (a dependency of Debian's jupyterhub package).
    const child = spawn("/usr/bin/python3", [path.join(import.meta.dirname, "hub-api-script.py")], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, output }));
  });
}

describe("a script with only an API token", () => {
  it("does everything the JupyterHub REST surface lists against Berth", async () => {
    const r = await runScript({ HUB_API: `${berth.url}/hub/api`, HUB_TOKEN: token, HUB_USER: "alice" });
    expect(r.output.trim().split("\n"), r.output).toEqual(["ok version", "ok whoami", "ok users", "ok user", "ok default server", "ok named server", "ok tokens", "done"]);
    expect(r.code).toBe(0);
    // Every change the token made is in the audit trail as the token's doing (its id, never the secret).
    const starts = await db().event.findMany({ where: { action: "start", targetUser: "alice" } });
    expect(starts.length).toBe(3);
    for (const e of starts) expect(e.details).toMatchObject({ viaToken: { prefix: token.slice(0, 12) } });
    expect(JSON.stringify(await db().event.findMany())).not.toContain(token);
  });

  it("also answers a signed-in session (Berth's cookie), with everything the person may do", async () => {
    const cookie = await sessionCookie(rootActor);
    const res = await fetch(`${berth.url}/hub/api/user`, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ name: "root", admin: true, token_id: null, session_id: null, scopes: ["admin:servers", "admin:users", "read:builds", "read:servers", "read:users", "servers"] });
    // A page of another site cannot use the cookie to change anything.
    const refused = await fetch(`${berth.url}/hub/api/users/alice/server`, { method: "POST", headers: { cookie, "sec-fetch-site": "cross-site", origin: "https://elsewhere.example" } });
    expect(refused.status).toBe(403);
    expect(Object.keys(await refused.json()).sort()).toEqual(["message", "status"]);
  });
});
