import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { expect } from "vitest";
import { config } from "../../lib/config";
import { db } from "../../lib/db/client";
import { AppError } from "../../lib/errors";
import { PROXY_AUTH_HEADER } from "../../lib/runtime/jupyter-auth/jupyter-auth";
import { isMountPoint } from "../../lib/runtime/local/mounts";
import type { Actor } from "../../lib/auth/actor";

export async function makeUser(name: string, isAdmin = false): Promise<Actor> {
  const u = await db().user.create({ data: { name, isAdmin } });
  return { id: u.id, name: u.name, isAdmin: u.isAdmin };
}

/** Polls until `check` returns a value other than undefined/false; fails with `what` after the timeout. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 60_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`Timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ""}`);
}

type State = "stopped" | "starting" | "running" | "stopping" | "deleting" | "failed";

/**
 * Polls the server row until it is in `expected` and returns it. A `failed` row ends the wait
 * early (with its reason in the assertion message) when something else was expected.
 */
export async function waitForState(serverId: string, expected: State, timeoutMs = 60_000) {
  const row = await waitFor(`server ${serverId} to become ${expected}`, async () => {
    const s = await db().server.findUnique({ where: { id: serverId } });
    if (!s) throw new Error("server row is gone");
    return s.state === expected || s.state === "failed" ? s : undefined;
  }, timeoutMs);
  expect(row.state, `server state (reason: ${row.stateReason ?? "none"})`).toBe(expected);
  return row;
}

export function portAnswers(upstream: string): Promise<boolean> {
  const u = new URL(upstream);
  return new Promise((resolve) => {
    const s = net.connect({ host: u.hostname, port: Number(u.port) }, () => {
      s.destroy();
      resolve(true);
    });
    s.on("error", () => resolve(false));
  });
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers signal 0; it is dead for our purposes.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/**
 * Live processes started for a local server: everything carrying its JUPYTER_RUNTIME_DIR (Jupyter,
 * its kernels, and whatever they started, detached or not).
 */
export function serverProcesses(serverId: string): number[] {
  const marker = `JUPYTER_RUNTIME_DIR=${path.join(config().dataDir, "runtime", serverId)}`;
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, "utf8").split("\0").includes(marker) && pidAlive(Number(entry))) out.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

export async function expectAppError(p: Promise<unknown>, code: AppError["code"], status: number): Promise<AppError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected AppError ${code}`).toBeInstanceOf(AppError);
  const e = err as AppError;
  expect({ code: e.code, status: e.status }).toEqual({ code, status });
  return e;
}

/** A free loopback port, picked at run time (the same picker the local runtime uses). */
export { freePort } from "../../lib/runtime/local/local-ports";

export async function jupyterFetch(upstream: string, base: string, apiPath: string, token: string, init: RequestInit = {}) {
  return fetch(`${upstream}${base}${apiPath}`, {
    ...init,
    headers: { [PROXY_AUTH_HEADER]: token, "Content-Type": "application/json", ...(init.headers as Record<string, string> | undefined) },
  });
}

/**
 * A file in a local server's workspace as stored: from the folder (running, or Berth not root),
 * or, for a stopped server with a filesystem of its own, from its unmounted image (e2fsprogs'
 * debugfs reads it without mounting). Undefined when it is not there.
 */
export function storedWorkspaceFile(serverId: string, file: string): string | undefined {
  const workspace = path.join(config().dataDir, "workspaces", serverId);
  const image = path.join(config().dataDir, "volumes", `${serverId}.ext4`);
  if (!isMountPoint(workspace) && existsSync(image)) {
    const r = spawnSync("debugfs", ["-R", `cat /${file}`, image], { encoding: "utf8" });
    return r.status === 0 && r.stdout ? r.stdout : undefined;
  }
  const p = path.join(workspace, file);
  return existsSync(p) ? readFileSync(p, "utf8") : undefined;
}
