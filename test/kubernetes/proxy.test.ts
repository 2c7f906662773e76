import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../lib/db/client";
import { PROXY_AUTH_HEADER } from "../../lib/runtime/jupyter-auth/jupyter-auth";
import { defaultRecord } from "../../lib/policy/profile-access";
import { ensureDefaultServer } from "../../lib/servers/find-server";
import { startServer } from "../../lib/servers/start-server";
import { stopServer } from "../../lib/servers/stop-server";
import type { Actor } from "../../lib/auth/actor";
import { makeUser, pidAlive, waitFor, waitForState } from "../helpers";
import { executeOnKernel, openKernelSocket } from "../helpers/kernel";
import { readPod, sim } from "../helpers/kube";
import { request, sessionCookie, startProxyServer } from "../helpers/proxy-harness";

// Berth's proxy in front of a server that runs in a pod: /user/<user>/ reaches the pod's
// Jupyter at its pod IP, over HTTP and a kernel's WebSocket, and stopping the server ends
// everything its pod ran (the kernel, and what the person's code detached).

let proxy: Awaited<ReturnType<typeof startProxyServer>>;
let alice: Actor;
let cookie: string;
let serverId: string;

beforeAll(async () => {
  alice = await makeUser("alice");
  cookie = await sessionCookie(alice);
  serverId = (await ensureDefaultServer(alice.id!, defaultRecord())).id;
  await startServer(alice, "alice", "");
  proxy = await startProxyServer();
  await waitForState(serverId, "running");
});

afterAll(async () => {
  await proxy?.close();
});

describe("the proxy to a server in a pod", () => {
  it("opens its pages and APIs, none of which carries the server's secret; the pod refuses requests without the proxy's header", async () => {
    const row = await db().server.findUniqueOrThrow({ where: { id: serverId } });
    const secret = row.token;
    const get = (p: string, headers: Record<string, string> = {}) => request(`${proxy.origin}/user/alice/${p}`, { headers: { Cookie: cookie, ...headers } });
    const nb = await request(`${proxy.origin}/user/alice/api/contents`, { method: "POST", headers: { Cookie: cookie, "Content-Type": "application/json" }, body: JSON.stringify({ type: "notebook" }) });
    expect(nb.status).toBe(201);
    const nbPath = (JSON.parse(nb.body) as { path: string }).path;
    const html = { Accept: "text/html" };
    const replies = [
      nb,
      await get("tree?token=", html),
      await get(`notebooks/${nbPath}`, html),
      await get(`edit/${nbPath}`, html),
      ...(await Promise.all(["api/status", "api/contents", "api/sessions", "api/kernels", "api/terminals", "api/config/tree"].map((p) => get(p)))),
    ];
    for (const r of replies) expect(r.status).toBeLessThan(300);
    expect(replies[1].body).toContain('id="notebook_list"');
    for (const r of replies) expect(`${JSON.stringify(r.headers)}\n${r.body}`).not.toContain(secret);

    // The pod's Jupyter at its address: nothing without the header, not even with the secret as a token.
    expect((await request(`${row.upstream}/user/alice/api/contents`)).status).toBe(403);
    expect((await request(`${row.upstream}/user/alice/api/contents?token=${secret}`)).status).toBe(403);
    expect((await request(`${row.upstream}/user/alice/api/contents`, { headers: { [PROXY_AUTH_HEADER]: secret } })).status).toBe(200);
  });

  it("reaches Jupyter's API and a kernel's WebSocket; a stop ends all the pod ran", async () => {
    const status = await request(`${proxy.origin}/user/alice/api/status`, { headers: { Cookie: cookie } });
    expect(status.status).toBe(200);
    expect(JSON.parse(status.body)).toHaveProperty("kernels");

    const created = await request(`${proxy.origin}/user/alice/api/kernels`, {
      method: "POST",
      headers: { Cookie: cookie, "Content-Type": "application/json" },
      body: JSON.stringify({ name: "python3" }),
    });
    expect(created.status).toBe(201);
    const kernelId = (JSON.parse(created.body) as { id: string }).id;
    const ws = await openKernelSocket(`ws://127.0.0.1:${proxy.port}/user/alice/api/kernels/${kernelId}/channels?session_id=${randomUUID()}`, cookie);
    let detached = 0;
    try {
      expect((await executeOnKernel(ws, "print(6*7)")).trim()).toBe("42");
      // The container's user and home: uid 1000, the claim's folder.
      expect((await executeOnKernel(ws, "import os\nprint(os.getuid())")).trim()).toBe("1000");
      detached = Number(await executeOnKernel(ws, "import subprocess\nprint(subprocess.Popen(['sleep', '600'], start_new_session=True).pid)"));
      expect(pidAlive(detached)).toBe(true);
    } finally {
      ws.close();
    }

    await stopServer(alice, "alice", "");
    expect(await readPod("jupyter-alice")).toBeUndefined();
    expect(pidAlive(detached)).toBe(false);
    await waitFor("no process of the pod left", async () => (await sim().processes()).length === 0);
    const after = await request(`${proxy.origin}/user/alice/api/status`, { headers: { Cookie: cookie } });
    expect(after.status).not.toBe(200);
  });
});
