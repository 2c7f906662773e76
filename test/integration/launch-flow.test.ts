import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { config } from "../../lib/config";
import { db } from "../../lib/db/client";
import type { LaunchEvent } from "../../lib/launch/events";
import { launchRepository, type LaunchOptions } from "../../lib/launch/launch-repository";
import { launchOptions, launchStream } from "../../lib/launch/launch-stream";
import { planLaunch } from "../../lib/launch/plan-launch";
import { settleAbandonedBuilds } from "../../lib/launch/builds/build-queue";
import { pruneUnusedBuilds } from "../../lib/runtime/local/build/prune-unused";
import { renderMetrics } from "../../lib/metrics";
import { createServer } from "../../lib/servers/create-server";
import { deleteServer } from "../../lib/servers/delete-server";
import type { Actor } from "../../lib/auth/actor";
import { startGitServer, type GitServerDouble } from "../doubles/git-server";
import { makeUser } from "../helpers";
import { runInNewKernel } from "../helpers/kernel";

// Launching repositories on the local runtime, end to end through the services: a real
// `git http-backend` serves fixture repositories, the local builder makes a real Python
// environment, real Jupyter Notebook runs in it, real Postgres holds the queue and the servers.

// The fixture Git server is on loopback, which launches refuse unless an operator allows it.
process.env.BERTH_LAUNCH_ALLOW_PRIVATE_HOSTS = "true";
process.env.BERTH_BUILD_LIMIT = "1";
// An operator's deny rule (git repositories are matched by their address without .git).
process.env.BERTH_LAUNCH_DENY = JSON.stringify({ git: ["/octo/denied$"] });

let git: GitServerDouble;
let alice: Actor;
let bob: Actor;
const commits: Record<string, string> = {};

const NOTEBOOK = JSON.stringify({
  cells: [{ cell_type: "code", execution_count: null, metadata: {}, outputs: [], source: ["print(6 * 7)"] }],
  metadata: {},
  nbformat: 4,
  nbformat_minor: 5,
});

beforeAll(async () => {
  git = await startGitServer();
  alice = await makeUser("alice");
  bob = await makeUser("bob");
  commits.demo = await git.createRepo("octo/demo", {
    "requirements.txt": "# nothing to install: this host has no package index\n",
    postBuild: "#!/bin/bash\nset -e\necho 'postBuild: writing marker'\necho built > postbuild-marker.txt\n",
    "hello.ipynb": NOTEBOOK,
  });
  commits.conda = await git.createRepo("octo/conda", { "environment.yml": "dependencies: [numpy]\n" });
  commits.slow1 = await git.createRepo("octo/slow-one", { postBuild: "#!/bin/bash\necho slow one; sleep 3\n" });
  commits.slow2 = await git.createRepo("octo/slow-two", { postBuild: "#!/bin/bash\necho slow two; sleep 1\n" });
}, 60_000);

afterAll(async () => {
  await git?.close();
});

const spec = (repo: string, ref = "HEAD") => `${encodeURIComponent(git.repoUrl(repo))}/${ref}`;

async function launch(actor: Actor, repo: string, opts: Partial<LaunchOptions> = {}, ref = "HEAD"): Promise<LaunchEvent[]> {
  const events: LaunchEvent[] = [];
  await launchRepository(actor, "git", spec(repo, ref), { open: {}, ...opts }, (e) => events.push(e), new AbortController().signal);
  return events;
}

const phases = (events: LaunchEvent[]) => [...new Set(events.map((e) => e.phase))];
const last = (events: LaunchEvent[]) => events[events.length - 1];
const log = (events: LaunchEvent[]) => events.map((e) => e.message).join("");

async function serverRow(actor: Actor, name: string) {
  return db().server.findFirstOrThrow({ where: { owner: { name: actor.name }, name } });
}

describe("launching a repository on the local runtime", () => {
  it("builds the commit, starts a new server in its environment with the repository's files, and says where to go", async () => {
    const events = await launch(alice, "octo/demo", { open: { labpath: "hello.ipynb" } });
    expect(last(events).message).not.toMatch(/fail|could not/i);
    expect(phases(events)).toEqual(["waiting", "fetching", "building", "built", "launching", "ready"]);
    expect(log(events)).toContain("postBuild: writing marker");
    const built = events.find((e) => e.phase === "built")!;
    expect(built.message).toMatch(/^Built image/);
    expect(built.imageName).toMatch(new RegExp(`:${commits.demo}$`));

    const ready = last(events);
    expect(ready).toMatchObject({ phase: "ready", server: "demo", token: "", url: `${config().publicUrl}/user/alice/demo/`, image: built.imageName });
    // Notebook 6.4 on this host: a notebook opens in notebooks/, not lab/.
    expect(ready.open_url).toBe(`${config().publicUrl}/user/alice/demo/notebooks/hello.ipynb`);
    // The persistent request names the commit; the address is the canonical one (no .git).
    expect(ready.binder_persistent_request).toBe(`v2/git/${encodeURIComponent(git.repoUrl("octo/demo").replace(/\.git$/, ""))}/${commits.demo}`);

    const s = await serverRow(alice, "demo");
    expect(s).toMatchObject({ state: "running", launchProvider: "git", launchCommit: commits.demo, image: built.imageName });
    const home = path.join(config().dataDir, "workspaces", s.id);
    expect(readFileSync(path.join(home, "postbuild-marker.txt"), "utf8")).toBe("built\n");
    expect(existsSync(path.join(home, "hello.ipynb"))).toBe(true);
    // The kernel is the environment's Python, so what requirements.txt installed is importable.
    const prefix = await runInNewKernel(s, "/user/alice/demo/", "import sys; print(sys.prefix)");
    expect(prefix.trim()).toBe(path.join(config().dataDir, "builds", commits.demo, "env"));
    if (process.getuid?.() === 0) {
      // Berth is root here, so the server runs under a uid of its own (lib/runtime/local/server-uids.ts):
      // the copied files are that uid's, the environment is shared and only readable.
      const who = JSON.parse(
        await runInNewKernel(
          s,
          "/user/alice/demo/",
          [
            "import json, os, sys",
            "def attempt(fn):",
            "    try:",
            "        fn(); return 'ok'",
            "    except Exception as e:",
            "        return type(e).__name__",
            "print(json.dumps({'uid': os.getuid(), 'marker': os.stat('postbuild-marker.txt').st_uid, 'notebook': os.stat('hello.ipynb').st_uid,",
            "  'editNotebook': attempt(lambda: open('hello.ipynb', 'a').close()),",
            "  'writeEnv': attempt(lambda: open(os.path.join(sys.prefix, 'planted.py'), 'w')),",
            "  'writeSitePackages': attempt(lambda: open(os.path.join(sys.prefix, 'lib', 'python%d.%d' % sys.version_info[:2], 'site-packages', 'planted.py'), 'w'))}))",
          ].join("\n"),
        ),
      ) as Record<string, unknown>;
      expect(who.uid).toBeGreaterThanOrEqual(config().localUidBase);
      expect(who).toMatchObject({ marker: who.uid, notebook: who.uid, editNotebook: "ok", writeEnv: "PermissionError", writeSitePackages: "PermissionError" });
    }

    const row = await db().build.findFirstOrThrow({ where: { commit: commits.demo } });
    expect(row).toMatchObject({ state: "built", runtime: "local", requestedBy: "alice" });
    expect(row.log).toContain("postBuild: writing marker");
  });

  it("launching the same commit again opens the same server: no build, no restart", async () => {
    const before = await serverRow(alice, "demo");
    const events = await launch(alice, "octo/demo");
    expect(phases(events)).toEqual(["waiting", "fetching", "built", "launching", "ready"]);
    expect(events.find((e) => e.phase === "built")!.message).toMatch(/^Found built image .* \(no build needed\)/);
    expect(last(events)).toMatchObject({ phase: "ready", server: "demo" });
    const after = await serverRow(alice, "demo");
    expect(after.startedAt).toEqual(before.startedAt);
    expect(await db().build.count({ where: { commit: commits.demo } })).toBe(1);
  });

  it("the same commit through a tag, the commit itself or the address without .git opens that server: no second one", async () => {
    const before = await serverRow(alice, "demo");
    const count = await db().server.count({ where: { owner: { name: "alice" } } });
    // An annotated tag on main: the advertisement names the tag object, peeled to the commit.
    await git.addTag("octo/demo", "v1.0", { message: "the first release" });
    const plan = await planLaunch(alice, "git", spec("octo/demo", "v1.0"));
    expect(plan).toMatchObject({ commit: commits.demo, servers: [{ name: "demo", sameCommit: true }] });

    const viaTag = await launch(alice, "octo/demo", {}, "v1.0");
    expect(last(viaTag)).toMatchObject({ phase: "ready", server: "demo" });
    expect(log(viaTag)).toContain("already runs this commit; opening it");

    const bare = encodeURIComponent(git.repoUrl("octo/demo").replace(/\.git$/, ""));
    const viaCommit: LaunchEvent[] = [];
    await launchRepository(alice, "git", `${bare}/${commits.demo}`, { open: {} }, (e) => viaCommit.push(e), new AbortController().signal);
    expect(last(viaCommit)).toMatchObject({ phase: "ready", server: "demo" });

    expect(await db().server.count({ where: { owner: { name: "alice" } } })).toBe(count);
    expect((await serverRow(alice, "demo")).startedAt).toEqual(before.startedAt);
  });

  it("a new commit rebuilds; restarting the same server on it keeps the person's files and adds the new ones", async () => {
    const s = await serverRow(alice, "demo");
    const home = path.join(config().dataDir, "workspaces", s.id);
    writeFileSync(path.join(home, "hello.ipynb"), "my own edits");
    commits.demo2 = await git.addCommit("octo/demo", { "hello.ipynb": NOTEBOOK.replace("6 * 7", "7 * 6"), "second.txt": "new in commit two\n" });

    const plan = await planLaunch(alice, "git", spec("octo/demo"));
    expect(plan).toMatchObject({ commit: commits.demo2, built: false, servers: [{ name: "demo", state: "running", commit: commits.demo, sameCommit: false }] });

    const events = await launch(alice, "octo/demo", { server: "demo" });
    expect(phases(events)).toContain("building");
    expect(log(events)).toContain("to restart it on commit");
    expect(last(events)).toMatchObject({ phase: "ready", server: "demo" });
    const after = await serverRow(alice, "demo");
    expect(after).toMatchObject({ state: "running", launchCommit: commits.demo2 });
    expect(after.startedAt!.getTime()).toBeGreaterThan(s.startedAt!.getTime());
    expect(readFileSync(path.join(home, "hello.ipynb"), "utf8")).toBe("my own edits");
    expect(readFileSync(path.join(home, "second.txt"), "utf8")).toBe("new in commit two\n");
    // Files added on a restart are the server's too, like those of the first start.
    expect(statSync(path.join(home, "second.txt")).uid).toBe(statSync(home).uid);
  });

  it("without a server named, a new commit goes into a fresh server beside the old one", async () => {
    commits.demo3 = await git.addCommit("octo/demo", { "third.txt": "3\n" });
    const events = await launch(alice, "octo/demo");
    expect(last(events)).toMatchObject({ phase: "ready", server: "demo-2" });
    expect((await serverRow(alice, "demo")).launchCommit).toBe(commits.demo2);
    await deleteServer(alice, "alice", "demo-2");
  });

  it("two launches of one new commit share one build, and both see its whole log", async () => {
    commits.demo4 = await git.addCommit("octo/demo", { "fourth.txt": "4\n" });
    const [a, b] = await Promise.all([launch(alice, "octo/demo", { buildOnly: true }), launch(bob, "octo/demo", { buildOnly: true })]);
    for (const events of [a, b]) {
      expect(last(events)).toMatchObject({ phase: "ready", imageName: expect.stringMatching(new RegExp(`:${commits.demo4}$`)) });
      expect(log(events)).toContain("postBuild: writing marker");
    }
    expect(await db().build.count({ where: { commit: commits.demo4 } })).toBe(1);
  });

  it("queues builds beyond the limit and tells the waiting viewer its place", async () => {
    // BERTH_BUILD_LIMIT=1: the second build waits for the first.
    const first = launch(alice, "octo/slow-one", { buildOnly: true });
    await new Promise((r) => setTimeout(r, 700));
    const second = await launch(bob, "octo/slow-two", { buildOnly: true });
    const waiting = second.filter((e) => e.phase === "waiting" && /queue/.test(e.message));
    expect(waiting[0]?.message).toMatch(/number 1 in the queue \(1 of 1 builds running\)/);
    expect(last(second).phase).toBe("ready");
    expect(last(await first).phase).toBe("ready");
  });

  it("refuses what the local runtime cannot build, naming the file, and creates nothing", async () => {
    const before = await db().server.count();
    const events = await launch(alice, "octo/conda");
    expect(last(events)).toMatchObject({ phase: "failed", message: expect.stringMatching(/environment\.yml[\s\S]*Kubernetes/) });
    expect(await db().server.count()).toBe(before);
    expect(await db().build.findFirst({ where: { commit: commits.conda } })).toMatchObject({ state: "failed" });
  });

  it("an unknown ref or a private repository is a failed event that says what to do", async () => {
    const badRef = await launch(alice, "octo/demo", {}, "no-such-branch");
    expect(last(badRef)).toMatchObject({ phase: "failed", message: expect.stringMatching(/no-such-branch/) });
    const events: LaunchEvent[] = [];
    await launchRepository(alice, "git", `${encodeURIComponent(`${git.url}/private/octo/secret.git`)}/HEAD`, { open: {} }, (e) => events.push(e), new AbortController().signal);
    expect(last(events)).toMatchObject({ phase: "failed", message: expect.stringMatching(/public/) });
  });

  it("a repository the operator denies is refused with the rule, before anything is fetched", async () => {
    const before = git.requests.length;
    const events = await launch(alice, "octo/denied");
    expect(last(events)).toMatchObject({ phase: "failed", error: "forbidden", message: expect.stringMatching(/administrator has excluded/) });
    expect(git.requests.length).toBe(before);
  });

  it("a launch past the named-server limit fails before building, with a link to the servers page", async () => {
    for (const n of ["one", "two", "three", "four", "five"]) await createServer(bob, "bob", { name: n });
    commits.demo5 = await git.addCommit("octo/demo", { "fifth.txt": "5\n" });
    const events = await launch(bob, "octo/demo");
    expect(last(events)).toMatchObject({ phase: "failed", error: "quota_exceeded", servers_url: "/servers", message: expect.stringMatching(/5 named servers/) });
    expect(phases(events)).not.toContain("building");
    expect(await db().build.count({ where: { commit: commits.demo5 } })).toBe(0);
  });

  it("streams the BinderHub protocol: data lines, keepalives, and the end after ready", async () => {
    const stream = launchStream(alice, "git", spec("octo/demo"), launchOptions(new URLSearchParams("server=demo&build_only=true")), new AbortController().signal, 20);
    const text = await new Response(stream).text();
    const frames = text.split("\n\n").filter(Boolean);
    expect(frames.some((f) => f === ":keepalive")).toBe(true);
    const data = frames.filter((f) => f.startsWith("data: ")).map((f) => JSON.parse(f.slice(6)) as LaunchEvent);
    expect(data[0].phase).toBe("waiting");
    expect(data[data.length - 1].phase).toBe("ready");
    expect(launchOptions(new URLSearchParams("server=&labpath=a.ipynb"))).toMatchObject({ server: "", open: { labpath: "a.ipynb" } });
    expect(launchOptions(new URLSearchParams("")).server).toBeUndefined();
  });

  it("builds left unfinished by an earlier Berth process are settled at start-up", async () => {
    await db().build.create({ data: { imageName: "berth/x:dead", provider: "git", repo: "x", commit: "d".repeat(40), runtime: "local", state: "building" } });
    expect(await settleAbandonedBuilds("local", 0)).toBeGreaterThanOrEqual(1);
    expect(await db().build.findFirstOrThrow({ where: { imageName: "berth/x:dead" } })).toMatchObject({ state: "failed" });
  });
});

describe("launch bookkeeping", () => {
  it("records each successful launch in the audit trail with the repository and commit", async () => {
    const events = await db().event.findMany({ where: { action: "launch", targetUser: "alice", serverName: "demo" }, orderBy: { at: "asc" } });
    expect(events.length).toBeGreaterThanOrEqual(3);
    expect(events[0].details).toMatchObject({ provider: "git", commit: commits.demo, cached: false });
    expect(events[1].details).toMatchObject({ commit: commits.demo, cached: true });
  });

  it("prunes environments no server runs on once they are old enough, never one a server uses", async () => {
    const dir = (commit: string) => path.join(config().dataDir, "builds", commit);
    // Nothing is old enough under the default lease.
    expect(await pruneUnusedBuilds()).toEqual([]);
    const removed = await pruneUnusedBuilds(0);
    expect(removed).toEqual(expect.arrayContaining([commits.slow1, commits.slow2, commits.demo4]));
    expect(existsSync(dir(commits.slow1))).toBe(false);
    // demo runs commit two: its environment stays.
    expect(removed).not.toContain(commits.demo2);
    expect(existsSync(path.join(dir(commits.demo2), "built.json"))).toBe(true);
  });

  it("counts launches, builds and cache hits in the metrics Prometheus scrapes", () => {
    const text = renderMetrics();
    const value = (line: RegExp) => Number(text.split("\n").find((l) => line.test(l))?.split(" ").pop() ?? NaN);
    expect(value(/^berth_launches_total\{provider="git",status="success"\}/)).toBeGreaterThanOrEqual(5);
    expect(value(/^berth_launches_total\{provider="git",status="refused"\}/)).toBeGreaterThanOrEqual(3);
    expect(value(/^berth_builds_total\{provider="git",status="success"\}/)).toBeGreaterThanOrEqual(4);
    expect(value(/^berth_builds_total\{provider="git",status="failure"\}/)).toBeGreaterThanOrEqual(1);
    expect(value(/^berth_build_cache_hits_total\{provider="git"\}/)).toBeGreaterThanOrEqual(1);
    expect(value(/^berth_build_duration_seconds_count\{provider="git",status="success"\}/)).toBeGreaterThanOrEqual(4);
    expect(value(/^berth_builds_in_progress/)).toBe(0);
  });
});
