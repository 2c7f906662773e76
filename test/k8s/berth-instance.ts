// One Berth process for the two-instances suite (test/kubernetes/two-instances.test.ts): the
// services with BERTH_RUNTIME=kubernetes, driven by JSON lines on stdin, answering on stdout.
// Run with `node --import tsx test/k8s/berth-instance.ts`; the environment configures it as any
// Berth (DATABASE_URL, BERTH_KUBECONFIG, …), BERTH_TEST_RECORD names a file for its API calls.
//
//   → {"id":1,"op":"start","user":"alice","name":"shared"}     ← {"id":1,"ok":true,"state":"starting"}
//   → {"id":2,"op":"wait","serverId":"…","state":"running"}    ← {"id":2,"ok":true,"state":"running"}
//   → {"id":3,"op":"exit"}                                     ← {"id":3,"ok":true}
import { writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { closeDb, db } from "../../lib/db/client";
import { AppError } from "../../lib/errors";
import { runtime } from "../../lib/runtime";
import { usedCalls } from "../../lib/runtime/kubernetes/kube-api";
import type { KubeRuntime } from "../../lib/runtime/kubernetes/kube-runtime";
import { deleteServer } from "../../lib/servers/delete-server";
import { watchRuntimeExits } from "../../lib/servers/lifecycle";
import { pendingStarts } from "../../lib/servers/pending-starts";
import { startServer } from "../../lib/servers/start-server";
import { stopServer } from "../../lib/servers/stop-server";

interface Command {
  id: number;
  op: "start" | "stop" | "delete" | "wait" | "settle" | "exit";
  user?: string;
  name?: string;
  serverId?: string;
  state?: string;
}

const send = (v: unknown) => process.stdout.write(JSON.stringify(v) + "\n");

async function actorFor(name: string) {
  const u = await db().user.findUniqueOrThrow({ where: { name } });
  return { id: u.id, name: u.name, isAdmin: u.isAdmin };
}

async function run(c: Command): Promise<Record<string, unknown>> {
  switch (c.op) {
    case "start":
      return { state: (await startServer(await actorFor(c.user!), c.user!, c.name!)).state };
    case "stop":
      return { state: (await stopServer(await actorFor(c.user!), c.user!, c.name!)).state };
    case "delete":
      await deleteServer(await actorFor(c.user!), c.user!, c.name!);
      return {};
    case "wait": {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const s = await db().server.findUnique({ where: { id: c.serverId! } });
        if (s && (s.state === c.state || s.state === "failed")) return { state: s.state, reason: s.stateReason };
        if (Date.now() > deadline) return { state: s?.state ?? "gone" };
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    case "settle":
      // Starts this process launched have finished (running or failed).
      await Promise.all([...pendingStarts().values()].map((p) => p.done));
      return {};
    case "exit":
      await runtime().shutdown();
      if (process.env.BERTH_TEST_RECORD) writeFileSync(process.env.BERTH_TEST_RECORD, JSON.stringify([...usedCalls]));
      await closeDb();
      return {};
  }
}

async function main() {
  watchRuntimeExits();
  const rt = runtime() as KubeRuntime;
  await Promise.all([rt.pods.ready(), rt.claims.ready()]);
  send({ ready: true, pid: process.pid });
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const c = JSON.parse(line) as Command;
    // Commands run concurrently, as requests to one Berth do.
    void run(c).then(
      (r) => {
        send({ id: c.id, ok: true, ...r });
        if (c.op === "exit") process.exit(0);
      },
      (err: unknown) =>
        send({
          id: c.id,
          ok: false,
          error: err instanceof AppError ? { name: "AppError", code: err.code, status: err.status, message: err.message } : { name: (err as Error)?.name, message: String((err as Error)?.message ?? err) },
        }),
    );
  }
}

main().catch((err) => {
  process.stderr.write(`berth-instance: ${String(err)}\n`);
  process.exit(1);
});
