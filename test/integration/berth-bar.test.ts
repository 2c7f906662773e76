import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../../lib/db/client";
import { flushActivity, lastTouched } from "../../lib/proxy/activity";
import { runtime } from "../../lib/runtime";
import { createServer } from "../../lib/servers/create-server";
import { startServer } from "../../lib/servers/start-server";
import type { Actor } from "../../lib/auth/actor";
import { serverBaseUrl } from "../../lib/servers/types";
import { jupyterFetch, makeUser, waitForState } from "../helpers";
import { request, sessionCookie, startProxyServer } from "../helpers/proxy-harness";

// What the proxy adds to a real Jupyter (Notebook 6 here): the Berth bar on its pages and the
// bar's two addresses, Jupyter's logout sent to Berth's sign-out, and JupyterLab's addresses
// opened where a classic Notebook has them.

let proxy: Awaited<ReturnType<typeof startProxyServer>>;
let alice: Actor, bob: Actor;
let aliceCookie: string, bobCookie: string;
let serverId: string;
const page = { Accept: "text/html,application/xhtml+xml", "Sec-Fetch-Dest": "document", "Sec-Fetch-Mode": "navigate", "Accept-Encoding": "gzip, deflate" };

beforeAll(async () => {
  alice = await makeUser("alice");
  bob = await makeUser("bob");
  [aliceCookie, bobCookie] = await Promise.all([sessionCookie(alice), sessionCookie(bob)]);
  serverId = (await createServer(alice, "alice", { name: "work" })).id;
  await startServer(alice, "alice", "work");
  const row = await waitForState(serverId, "running");
  const base = serverBaseUrl("alice", "work");
  for (const [p, body] of [
    ["api/contents/index.ipynb", { type: "notebook", content: { cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 } }],
    ["api/contents/my%20data", { type: "directory" }],
  ] as const) {
    const put = await jupyterFetch(row.upstream!, base, p, row.token, { method: "PUT", body: JSON.stringify(body) });
    expect(put.status).toBeLessThan(300);
  }
  proxy = await startProxyServer();
});

afterAll(async () => {
  await proxy?.close();
  await runtime().shutdown();
});

const url = (p: string) => `${proxy.origin}${p}`;

describe("the Berth bar", () => {
  it("is added to a Jupyter page the browser opens, with a correct length, and to nothing else", async () => {
    const r = await request(url("/user/alice/work/tree"), { headers: { Cookie: aliceCookie, ...page } });
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/<script src="\/_berth\/bar\.js\?v=[0-9a-f]{12}" defer data-berth="" data-prefix="\/user\/alice\/work\/" data-owner="alice" data-server="work"><\/script><\/head>/);
    expect(r.body).toContain('id="notebook_list"');
    expect(r.headers["content-encoding"]).toBeUndefined();
    expect(Number(r.headers["content-length"])).toBe(Buffer.byteLength(r.body));
    // Nothing of the server's token or Berth's session is on the page.
    const row = await db().server.findUniqueOrThrow({ where: { id: serverId } });
    expect(r.body).not.toContain(row.token);

    // A script's request, Jupyter's API and its static files are untouched.
    const api = await request(url("/user/alice/work/api/contents"), { headers: { Cookie: aliceCookie, "Accept-Encoding": "gzip" } });
    expect(api.body).not.toContain("_berth");
    const fetched = await request(url("/user/alice/work/tree"), { headers: { Cookie: aliceCookie, Accept: "text/html", "Sec-Fetch-Dest": "empty" } });
    expect(fetched.body).not.toContain("/_berth/bar.js");
  });

  it("serves its script and style outside /user/, with no secret in them", async () => {
    const js = await request(url("/_berth/bar.js"));
    expect(js.status).toBe(200);
    expect(js.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(js.headers["x-content-type-options"]).toBe("nosniff");
    expect(js.body).toContain("_berth/keep-running");
    const css = await request(url("/_berth/bar.css"));
    expect(css.headers["content-type"]).toBe("text/css; charset=utf-8");
    expect((await request(url("/_berth/bar.js"), { method: "POST" })).status).toBe(405);
  });

  it("reads the idle stop without counting as activity", async () => {
    await flushActivity();
    const r = await request(url("/user/alice/work/_berth/status"), { headers: { Cookie: aliceCookie } });
    expect(r.status).toBe(200);
    const view = JSON.parse(r.body) as { state: string; idleTimeoutSeconds: number; idleStopAt: string; warningSeconds: number; now: string };
    expect(view).toMatchObject({ state: "running", idleTimeoutSeconds: 7200, warningSeconds: 600 });
    expect(new Date(view.idleStopAt).getTime()).toBeGreaterThan(Date.now() + 7000_000);
    expect(lastTouched(serverId)).toBeUndefined();
    // Someone else cannot read it, nor keep the server running.
    expect((await request(url("/user/alice/work/_berth/status"), { headers: { Cookie: bobCookie } })).status).toBe(403);
    expect((await request(url("/user/alice/work/_berth/keep-running"), { method: "POST", headers: { Cookie: bobCookie } })).status).toBe(403);
    expect((await request(url("/user/alice/work/_berth/status"))).status).toBe(401);
  });

  it("keeps the server running on a POST from its own pages only", async () => {
    const stale = new Date(Date.now() - 3600_000);
    await db().server.update({ where: { id: serverId }, data: { lastActivityAt: stale } });
    await flushActivity();
    const before = Date.now();
    const r = await request(url("/user/alice/work/_berth/keep-running"), { method: "POST", headers: { Cookie: aliceCookie, "Sec-Fetch-Site": "same-origin" } });
    expect(r.status).toBe(200);
    expect(new Date((JSON.parse(r.body) as { idleStopAt: string }).idleStopAt).getTime()).toBeGreaterThanOrEqual(before + 7200_000 - 1000);
    expect((await db().server.findUniqueOrThrow({ where: { id: serverId } })).lastActivityAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);

    await db().server.update({ where: { id: serverId }, data: { lastActivityAt: stale } });
    await flushActivity();
    expect((await request(url("/user/alice/work/_berth/keep-running"), { method: "POST", headers: { Cookie: aliceCookie, "Sec-Fetch-Site": "cross-site" } })).status).toBe(403);
    expect((await request(url("/user/alice/work/_berth/keep-running"), { headers: { Cookie: aliceCookie } })).status).toBe(405);
    expect((await db().server.findUniqueOrThrow({ where: { id: serverId } })).lastActivityAt!.getTime()).toBe(stale.getTime());
  });
});

describe("Jupyter's logout", () => {
  it("goes to Berth's sign-out page, never to Jupyter's", async () => {
    for (const p of ["logout", "lab/logout", "tree/logout"]) {
      const r = await request(url(`/user/alice/work/${p}`), { headers: { Cookie: aliceCookie, ...page } });
      expect(r.status, p).toBe(302);
      expect(r.headers.location).toBe("/signout?from=%2Fuser%2Falice%2Fwork%2F");
      expect(r.body).not.toContain("Successfully logged out");
    }
    // Only for someone who may open the server.
    expect((await request(url("/user/alice/work/logout"), { headers: { Cookie: bobCookie, ...page } })).status).toBe(403);
  });
});

describe("JupyterLab addresses on a classic Notebook", () => {
  it("opens a file under notebooks/ and a folder under tree/, as the contents API says", async () => {
    expect(runtime().jupyterInterface()).toBe("notebook");
    const go = async (p: string) => {
      const r = await request(url(`/user/alice/work/${p}`), { headers: { Cookie: aliceCookie, ...page } });
      expect(r.status, p).toBe(302);
      return r.headers.location;
    };
    expect(await go("doc/tree/index.ipynb?token=")).toBe("/user/alice/work/notebooks/index.ipynb");
    expect(await go("lab/tree/index.ipynb?token=abc&kernel=1")).toBe("/user/alice/work/notebooks/index.ipynb?kernel=1");
    expect(await go("lab/tree/my%20data")).toBe("/user/alice/work/tree/my%20data");
    expect(await go("lab")).toBe("/user/alice/work/tree");
    // Not there (yet): by its name.
    expect(await go("doc/tree/later.ipynb")).toBe("/user/alice/work/notebooks/later.ipynb");
    expect(await go("doc/tree/later")).toBe("/user/alice/work/tree/later");
    // A path that would climb out is not redirected: Jupyter answers it as it is (not found).
    const climb = await request(url("/user/alice/work/lab/tree/%2e%2e/api"), { headers: { Cookie: aliceCookie, ...page } });
    expect(climb.status).not.toBe(302);
    expect(climb.headers.location).toBeUndefined();

    const opened = await request(url("/user/alice/work/notebooks/index.ipynb"), { headers: { Cookie: aliceCookie, ...page } });
    expect(opened.status).toBe(200);
    expect(opened.body).toContain("/_berth/bar.js");
  });
});

