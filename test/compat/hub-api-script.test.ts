import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { db } from "../../lib/db/client";
import { createToken } from "../../lib/tokens/tokens";
import { makeUser } from "../helpers";
import { startBerth, type Running } from "./servers";

// A token-authenticated script (Python with `requests`, as JupyterHub's own server-api example)
// does everything /hub/api lists against a real Berth: no cookie, no browser.

let berth: Running;
let token: string;

beforeAll(async () => {
  await makeUser("alice");
  const root = await makeUser("root", true);
  token = (await createToken(root, "root", { note: "the script" })).token;
  berth = await startBerth({ databaseUrl: inject("databaseUrl") });
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
});
