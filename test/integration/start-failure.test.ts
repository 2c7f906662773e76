import { describe, expect, it } from "vitest";
import { db } from "../../lib/db/client";
import { runtime } from "../../lib/runtime";
import { createServer } from "../../lib/servers/create-server";
import { startServer } from "../../lib/servers/start-server";
import { makeUser, serverProcesses, waitFor, waitForState } from "../helpers";

// A Jupyter command that cannot start. Set before the first config() call of this file.
process.env.BERTH_JUPYTER_COMMAND = "/bin/false";

describe("a Jupyter that cannot start", () => {
  it("leaves the server failed with a reason and no process behind", async () => {
    const alice = await makeUser("alice");
    const s = await createServer(alice, "alice", { name: "broken" });
    await startServer(alice, "alice", "broken");
    const failed = await waitForState(s.id, "failed");
    expect(failed.stateReason).toMatch(/Jupyter exited while starting \(exit code 1\)/);
    expect(failed).toMatchObject({ upstream: null, progress: null });
    expect(await runtime().isAlive(s.id, failed.runtimeRef)).toBe(false);
    expect(serverProcesses(s.id)).toEqual([]);

    const ev = await waitFor("the failure event", () => db().event.findFirst({ where: { action: "failed", serverName: "broken" } }).then((e) => e ?? undefined));
    expect(ev).toMatchObject({ actorName: "alice", targetUser: "alice" });
    expect(ev.reason).toContain("exit code 1");
    const actions = (await db().event.findMany({ where: { serverName: "broken" }, orderBy: { at: "asc" } })).map((e) => e.action);
    expect(actions).toEqual(["create", "start", "failed"]);

    // A failed server can be started again (and fails again the same way, cleanly).
    await startServer(alice, "alice", "broken");
    const again = await waitForState(s.id, "failed");
    expect(again.stateReason).toContain("exit code 1");
  });

  it("reports a command that does not exist", async () => {
    const { setShared } = await import("../../lib/shared");
    const { LocalRuntime } = await import("../../lib/runtime/local/local-runtime");
    const { config } = await import("../../lib/config");
    // The runtime reads the command once; give this test its own.
    await runtime().shutdown();
    setShared("runtime", new LocalRuntime({ dataDir: config().dataDir, jupyterCommand: "/nonexistent/jupyter-lab", cgroupRoot: config().cgroupRoot, startTimeoutMs: 30_000, hostEnv: config().hostEnv, uidBase: config().localUidBase }));
    const bob = await makeUser("bob");
    const s = await createServer(bob, "bob", { name: "missing" });
    await startServer(bob, "bob", "missing");
    const failed = await waitForState(s.id, "failed");
    expect(failed.stateReason).toMatch(/ENOENT|not found|no such file/i);
    expect(await runtime().isAlive(s.id, null)).toBe(false);
  });

  it("tries another port when Jupyter finds its port taken, and starts", async () => {
    const { setShared } = await import("../../lib/shared");
    const { LocalRuntime } = await import("../../lib/runtime/local/local-runtime");
    const { config } = await import("../../lib/config");
    const { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const path = await import("node:path");
    // The first run says what Notebook 6 says when another program took its port meanwhile.
    const dir = mkdtempSync(path.join(tmpdir(), "berth-port-taken-"));
    chmodSync(dir, 0o777);
    const marker = path.join(dir, "tried");
    const script = path.join(dir, "jupyter-notebook");
    writeFileSync(script, `#!/bin/sh\nif [ ! -e ${marker} ]; then : > ${marker}; echo "[C NotebookApp] ERROR: the notebook server could not be started because port 1 is not available." >&2; exit 1; fi\nexec /usr/bin/jupyter-notebook "$@"\n`, { mode: 0o755 });
    await runtime().shutdown();
    setShared("runtime", new LocalRuntime({ dataDir: config().dataDir, jupyterCommand: script, cgroupRoot: config().cgroupRoot, startTimeoutMs: 60_000, hostEnv: config().hostEnv, uidBase: config().localUidBase }));
    try {
      const carol = await makeUser("carol");
      const s = await createServer(carol, "carol", { name: "retry" });
      await startServer(carol, "carol", "retry");
      const running = await waitForState(s.id, "running");
      expect(existsSync(marker)).toBe(true);
      expect(running.upstream).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      await runtime().stop(s.id);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
