import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getHistory } from "../../app/api/admin/builds/route";
import { GET as getQueue } from "../../app/api/admin/builds/queue/route";
import { GET as getRepos } from "../../app/api/admin/builds/repos/route";
import { GET as getBuild } from "../../app/api/admin/builds/[id]/route";
import { GET as getLog } from "../../app/api/admin/builds/[id]/log/route";
import { POST as postCancel } from "../../app/api/admin/builds/[id]/cancel/route";
import { POST as postRebuild } from "../../app/api/admin/builds/[id]/rebuild/route";
import { GET as getAudit } from "../../app/api/admin/audit/route";
import { GET as getAuditCsv } from "../../app/api/admin/audit.csv/route";
import { GET as getProfiles } from "../../app/api/admin/profiles/route";
import { config } from "../../lib/config";
import { db } from "../../lib/db/client";
import type { LaunchEvent } from "../../lib/launch/events";
import { launchRepository } from "../../lib/launch/launch-repository";
import { buildPaths } from "../../lib/runtime/local/build/build-local";
import type { BuildView, QueueView } from "../../lib/launch/builds/list-builds";
import type { Actor } from "../../lib/auth/actor";
import { createToken } from "../../lib/tokens/tokens";
import { startGitServer, type GitServerDouble } from "../doubles/git-server";
import { makeUser, waitFor } from "../helpers";

// The console's Builds tab on the local runtime, through its route handlers with API tokens: a real
// git http-backend, the real local builder, real Postgres as the queue. One build slot, so a second
// build queues behind the first.

process.env.BERTH_LAUNCH_ALLOW_PRIVATE_HOSTS = "true";
process.env.BERTH_BUILD_LIMIT = "1";

let git: GitServerDouble;
let admin: Actor;
let user: Actor;
let adminToken: string;
let userToken: string;
const commits: Record<string, string> = {};

beforeAll(async () => {
  git = await startGitServer();
  admin = await makeUser("ops-admin", true);
  user = await makeUser("ops-user");
  adminToken = (await createToken(admin, admin.name, {})).token;
  userToken = (await createToken(user, user.name, {})).token;
  // A build that runs until it is stopped: its postBuild prints, then waits.
  commits.slow = await git.createRepo("octo/slow", { postBuild: "#!/bin/bash\necho slow build started\nsleep 600\n" });
  commits.queued = await git.createRepo("octo/queued", { postBuild: "#!/bin/bash\necho never\n" });
  commits.quick = await git.createRepo("octo/quick", { postBuild: "#!/bin/bash\necho quick build\n" });
}, 60_000);

afterAll(async () => {
  await git?.close();
});

const spec = (repo: string) => `${encodeURIComponent(git.repoUrl(repo))}/HEAD`;
const req = (path: string, token: string, method = "GET") => new Request(`http://berth.test${path}`, { method, headers: { authorization: `token ${token}` } });
const params = (id: string) => ({ params: Promise.resolve({ id }) });

/** A build_only launch in the background: its events, and a promise for its end. */
function launch(actor: Actor, repo: string) {
  const events: LaunchEvent[] = [];
  const done = launchRepository(actor, "git", spec(repo), { open: {}, buildOnly: true }, (e) => events.push(e), new AbortController().signal);
  return { events, done };
}

const rowOf = (repo: string, state: "queued" | "building" | "built" | "failed") =>
  waitFor(`a ${state} build of ${repo}`, () => db().build.findFirst({ where: { repo: git.repoUrl(repo).replace(/\.git$/, ""), state }, orderBy: { createdAt: "desc" } }).then((r) => r ?? undefined));

async function json<T>(res: Response | Promise<Response>): Promise<T> {
  return (await (await res).json()) as T;
}

describe("builds admin", () => {
  it("refuses people who are not administrators on every console route (403), and unknown tokens (401)", async () => {
    const id = "00000000-0000-4000-8000-000000000000";
    const calls: [string, (r: Request) => Promise<Response>][] = [
      ["/api/admin/builds", (r) => getHistory(r, undefined as never)],
      ["/api/admin/builds/queue", (r) => getQueue(r, undefined as never)],
      ["/api/admin/builds/repos", (r) => getRepos(r, undefined as never)],
      [`/api/admin/builds/${id}`, (r) => getBuild(r, params(id))],
      [`/api/admin/builds/${id}/log`, (r) => getLog(r, params(id))],
      [`/api/admin/builds/${id}/cancel`, (r) => postCancel(r, params(id))],
      [`/api/admin/builds/${id}/rebuild`, (r) => postRebuild(r, params(id))],
      ["/api/admin/audit", (r) => getAudit(r, undefined as never)],
      ["/api/admin/audit?format=csv", (r) => getAudit(r, undefined as never)],
      ["/api/admin/audit.csv", (r) => getAuditCsv(r, undefined as never)],
      ["/api/admin/profiles", (r) => getProfiles(r, undefined as never)],
    ];
    const before = await db().build.count();
    for (const [path, call] of calls) {
      const method = path.endsWith("cancel") || path.endsWith("rebuild") ? "POST" : "GET";
      const forbidden = await call(req(path, userToken, method));
      expect(forbidden.status, path).toBe(403);
      expect(await json<{ error: string }>(forbidden), path).toMatchObject({ error: "forbidden" });
      expect((await call(req(path, "berth_not-a-real-token", method))).status, path).toBe(401);
    }
    expect(await db().build.count()).toBe(before);
  });

  it("lists the queue, cancels a queued build and a running one; the people waiting are told an administrator cancelled it", async () => {
    const slow = launch(user, "octo/slow");
    const running = await rowOf("octo/slow", "building");
    await waitFor("the slow build's postBuild", async () => slow.events.some((e) => e.message.includes("slow build started")));
    const waiting = launch(admin, "octo/queued");
    const queued = await rowOf("octo/queued", "queued");

    const queue = await json<QueueView>(getQueue(req("/api/admin/builds/queue", adminToken), undefined as never));
    expect(queue.running.map((b) => b.id)).toContain(running.id);
    const mine = queue.queued.find((b) => b.id === queued.id);
    expect(mine).toMatchObject({ position: 1, repo: queued.repo, commit: commits.queued, requestedBy: admin.name, outcome: "queued" });
    expect(queue.running.find((b) => b.id === running.id)).toMatchObject({ requestedBy: user.name, commit: commits.slow });

    // The running build's log so far is on its row (any replica can show it).
    await waitFor("the running build's log on its row", async () => (await db().build.findUnique({ where: { id: running.id } }))?.log.includes("slow build started"));

    // Cancel the queued one: it ends at once, and whoever waited for it gets `failed`.
    const c1 = await postCancel(req(`/api/admin/builds/${queued.id}/cancel`, adminToken, "POST"), params(queued.id));
    expect(c1.status).toBe(200);
    await waiting.done;
    const w = waiting.events[waiting.events.length - 1];
    expect(w.phase).toBe("failed");
    expect(w.message).toMatch(/cancelled by an administrator/);
    expect(await db().build.findUnique({ where: { id: queued.id } })).toMatchObject({ state: "failed", cancelledBy: admin.name });

    // Cancel the running one: its processes are killed, its partial environment removed.
    const c2 = await postCancel(req(`/api/admin/builds/${running.id}/cancel`, adminToken, "POST"), params(running.id));
    expect(c2.status).toBe(200);
    await slow.done;
    const s = slow.events[slow.events.length - 1];
    expect(s.phase).toBe("failed");
    expect(s.message).toMatch(/cancelled by an administrator \(ops-admin\)/);
    const row = await db().build.findUniqueOrThrow({ where: { id: running.id } });
    expect(row.state).toBe("failed");
    expect(row.message).toMatch(/cancelled by an administrator/);
    expect(existsSync(buildPaths(config().dataDir, commits.slow).buildDir)).toBe(false);

    // A finished build cannot be cancelled; the history shows both as cancelled.
    const again = await postCancel(req(`/api/admin/builds/${running.id}/cancel`, adminToken, "POST"), params(running.id));
    expect(again.status).toBe(409);
    const cancelled = await json<{ builds: BuildView[] }>(getHistory(req("/api/admin/builds?outcome=cancelled", adminToken), undefined as never));
    expect(cancelled.builds.map((b) => b.id)).toEqual(expect.arrayContaining([running.id, queued.id]));
    expect(cancelled.builds.every((b) => b.outcome === "cancelled")).toBe(true);
    const audit = await db().event.findMany({ where: { action: "build_cancel" } });
    expect(audit.map((e) => (e.details as { build: string }).build)).toEqual(expect.arrayContaining([running.id, queued.id]));
  });

  it("counts launches and cache hits per repository, and a rebuild makes a new build of the same image", async () => {
    const first = launch(user, "octo/quick");
    await first.done;
    expect(first.events.at(-1)?.phase).toBe("ready");
    const second = launch(admin, "octo/quick");
    await second.done;
    expect(second.events.some((e) => e.phase === "built" && /no build needed/.test(e.message))).toBe(true);

    const repo = git.repoUrl("octo/quick").replace(/\.git$/, "");
    const counts = await json<{ repos: { repo: string; launches: number; cacheHits: number }[] }>(getRepos(req("/api/admin/builds/repos", adminToken), undefined as never));
    expect(counts.repos.find((r) => r.repo === repo)).toMatchObject({ launches: 2, cacheHits: 1 });

    const history = await json<{ builds: BuildView[] }>(getHistory(req(`/api/admin/builds?repo=${encodeURIComponent(repo)}`, adminToken), undefined as never));
    expect(history.builds).toHaveLength(1);
    const built = history.builds[0];
    expect(built).toMatchObject({ outcome: "built", commit: commits.quick, requestedBy: user.name, rebuild: false });
    expect(built.durationSeconds).toBeGreaterThanOrEqual(0);

    // The log of a finished build streams whole, then its outcome.
    const logRes = await getLog(req(`/api/admin/builds/${built.id}/log`, adminToken), params(built.id));
    expect(logRes.headers.get("content-type")).toMatch(/text\/event-stream/);
    const text = await logRes.text();
    expect(text).toContain("quick build");
    expect(text).toContain('"end":"built"');

    const res = await postRebuild(req(`/api/admin/builds/${built.id}/rebuild`, adminToken, "POST"), params(built.id));
    expect(res.status).toBe(202);
    const { id, imageName } = await json<{ id: string; imageName: string }>(res);
    expect(id).not.toBe(built.id);
    expect(imageName).toBe(built.imageName);
    const rebuilt = await waitFor("the rebuild to finish", async () => {
      const r = await db().build.findUnique({ where: { id } });
      return r && (r.state === "built" || r.state === "failed") ? r : undefined;
    });
    expect(rebuilt).toMatchObject({ state: "built", imageName: built.imageName, commit: commits.quick, rebuild: true, requestedBy: admin.name });
    expect(rebuilt.log).toContain("quick build");
    expect(await db().build.count({ where: { imageName: built.imageName } })).toBe(2);
    expect(await db().event.count({ where: { action: "rebuild" } })).toBe(1);
  });

  it("pages the history with a keyset cursor and refuses a bad one", async () => {
    const first = await json<{ builds: BuildView[]; next: string | null }>(getHistory(req("/api/admin/builds?limit=2", adminToken), undefined as never));
    expect(first.builds).toHaveLength(2);
    expect(first.next).not.toBeNull();
    const rest = await json<{ builds: BuildView[]; next: string | null }>(getHistory(req(`/api/admin/builds?limit=50&before=${encodeURIComponent(first.next!)}`, adminToken), undefined as never));
    const all = [...first.builds, ...rest.builds].map((b) => b.id);
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBe(await db().build.count());
    expect((await getHistory(req("/api/admin/builds?before=nonsense", adminToken), undefined as never)).status).toBe(422);
  });
});
