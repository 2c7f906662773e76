import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { runtime } from "../../lib/runtime";
import { PROXY_AUTH_HEADER } from "../../lib/runtime/jupyter-auth/jupyter-auth";
import { createServer } from "../../lib/servers/create-server";
import { startServer } from "../../lib/servers/start-server";
import type { Actor } from "../../lib/auth/actor";
import { serverBaseUrl } from "../../lib/servers/types";
import { makeUser, waitForState } from "../helpers";
import { executeOnKernel, openKernelSocket } from "../helpers/kernel";
import { request, sessionCookie, startProxyServer, type Reply } from "../helpers/proxy-harness";

// The server's secret stays inside Berth: a real Jupyter Notebook 6 behind the real proxy renders
// it into no page, API answer, header or WebSocket message, and it opens the server only as the
// proxy's header (not as Jupyter's token, in a URL or Authorization).

let proxy: Awaited<ReturnType<typeof startProxyServer>>;
let alice: Actor;
let cookie: string;
let secret: string;
let upstream: string;
let pid: number;
const base = serverBaseUrl("alice", "work");
const html = { Accept: "text/html,application/xhtml+xml" };
const json = { "Content-Type": "application/json" };
/** Everything the browser received, to be searched for the secret. */
const received: { what: string; text: string }[] = [];

beforeAll(async () => {
  alice = await makeUser("alice");
  cookie = await sessionCookie(alice);
  const work = await createServer(alice, "alice", { name: "work" });
  await startServer(alice, "alice", "work");
  const running = await waitForState(work.id, "running");
  secret = running.token;
  upstream = running.upstream!;
  pid = parseInt(running.runtimeRef!, 10);
  proxy = await startProxyServer();
});

afterAll(async () => {
  await proxy?.close();
  await runtime().shutdown();
});

/** A request through the proxy as alice's browser; the reply is kept for the search. */
async function viaProxy(p: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  const r = await request(`${proxy.origin}${base}${p}`, { ...opts, headers: { Cookie: cookie, ...opts.headers } });
  received.push({ what: `${opts.method ?? "GET"} ${p} → ${r.status}`, text: `${JSON.stringify(r.headers)}\n${r.body}` });
  return r;
}

/** Opens a WebSocket through the proxy and keeps every message it receives for the search. */
function keepMessages(ws: WebSocket, what: string) {
  ws.on("message", (d) => received.push({ what, text: String(d) }));
}

function terminalOutput(ws: WebSocket, input: string, until: RegExp): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`the terminal never printed ${until}; it printed:\n${out}`)), 30_000);
    ws.on("message", (d) => {
      const [kind, text] = JSON.parse(String(d)) as [string, string];
      if (kind === "stdout") out += text;
      if (until.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    ws.send(JSON.stringify(["stdin", input]));
  });
}

describe("a server's secret and the browser", () => {
  it("is in no page, API answer, header or message of an open notebook, terminal and file browser", async () => {
    // The file browser, and its address as BinderHub clients open it (with an empty ?token=).
    const root = await viaProxy("", { headers: html });
    expect(root.status).toBe(302);
    const tree = await viaProxy("tree?token=", { headers: html });
    expect(tree.status).toBe(200);
    expect(tree.body).toContain('id="notebook_list"');
    expect(tree.body).not.toContain("data-jupyter-api-token");

    // A notebook and a text file, created as the pages' scripts would.
    const nb = await viaProxy("api/contents", { method: "POST", headers: json, body: JSON.stringify({ type: "notebook" }) });
    expect(nb.status).toBe(201);
    const nbPath = (JSON.parse(nb.body) as { path: string }).path;
    const txt = await viaProxy("api/contents/notes.txt", { method: "PUT", headers: json, body: JSON.stringify({ type: "file", format: "text", content: "hello" }) });
    expect(txt.status).toBe(201);

    const notebookPage = await viaProxy(`notebooks/${nbPath}`, { headers: html });
    expect(notebookPage.status).toBe(200);
    expect(notebookPage.body).toContain(`data-notebook-path="${nbPath}"`);
    expect((await viaProxy("edit/notes.txt", { headers: html })).status).toBe(200);
    expect((await viaProxy("files/notes.txt")).body).toBe("hello");

    // The notebook's session and kernel, and a computation over the kernel's WebSocket.
    const session = await viaProxy("api/sessions", { method: "POST", headers: json, body: JSON.stringify({ path: nbPath, type: "notebook", name: "", kernel: { name: "python3" } }) });
    expect(session.status).toBe(201);
    const kernelId = (JSON.parse(session.body) as { kernel: { id: string } }).kernel.id;
    const kernel = await openKernelSocket(`ws://127.0.0.1:${proxy.port}${base}api/kernels/${kernelId}/channels?session_id=${randomUUID()}`, cookie);
    keepMessages(kernel, "kernel channels");
    try {
      expect((await executeOnKernel(kernel, "print(6*7)")).trim()).toBe("42");
      // Nor does the person's code inherit it (the authenticator takes it out of the environment).
      const env = await executeOnKernel(kernel, "import os\nprint(sorted(k for k, v in os.environ.items() if 'BERTH' in k or 'TOKEN' in k or 'jupyter-auth' in v))");
      expect(env.trim()).toBe("[]");
    } finally {
      kernel.close();
    }

    // A terminal: created, its page opened, a command run over its WebSocket.
    const term = await viaProxy("api/terminals", { method: "POST", headers: json, body: "{}" });
    expect(term.status).toBe(200);
    const termName = (JSON.parse(term.body) as { name: string }).name;
    const termPage = await viaProxy(`terminals/${termName}`, { headers: html });
    expect(termPage.status).toBe(200);
    expect(termPage.body).toContain(`terminals/websocket/${termName}`);
    const tws = new WebSocket(`ws://127.0.0.1:${proxy.port}${base}terminals/websocket/${termName}`, {
      headers: { Cookie: cookie, Host: "berth.example.test", Origin: "https://berth.example.test" },
    });
    await new Promise<void>((resolve, reject) => {
      tws.once("open", () => resolve());
      tws.once("error", reject);
      tws.once("unexpected-response", (_q, res) => reject(new Error(`terminal WebSocket refused: ${res.statusCode}`)));
    });
    keepMessages(tws, "terminal");
    try {
      const out = await terminalOutput(tws, "echo sum=$((6*7)); env | grep -c -e BERTH_ -e JUPYTER_TOKEN -e jupyter-auth; echo done\r", /^done\r?$/m);
      expect(out).toContain("sum=42");
      expect(out).toMatch(/^0\r?$/m); // no variable of the terminal holds the secret or the authenticator
    } finally {
      tws.close();
    }

    // The APIs the pages call.
    for (const p of ["api", "api/status", "api/contents", `api/contents/${nbPath}`, "api/sessions", "api/kernels", "api/kernelspecs", "api/terminals", "api/config/tree", "api/config/notebook", "api/config/common", "api/nbconvert"]) {
      expect((await viaProxy(p)).status, p).toBe(200);
    }

    expect(received.length).toBeGreaterThan(25);
    const leaks = received.filter((r) => r.text.includes(secret) || r.text.includes(secret.slice(0, 20)));
    expect(leaks.map((l) => l.what)).toEqual([]);
  });

  it("is in no argument of Jupyter's command line", () => {
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    expect(argv).toContain("berth_jupyter_auth");
    expect(argv).not.toContain(secret);
  });
});

describe("the server's Jupyter reached directly", () => {
  const direct = (p: string, headers: Record<string, string> = {}) => request(`${upstream}${base}${p}`, { headers });

  it("refuses a request without the proxy's header, and the secret as Jupyter's token", async () => {
    expect((await direct("api/contents")).status).toBe(403);
    expect((await direct("api/status", { [PROXY_AUTH_HEADER]: "not-the-secret" })).status).toBe(403);
    expect((await direct(`api/contents?token=${secret}`)).status).toBe(403);
    expect((await direct("api/contents", { Authorization: `token ${secret}` })).status).toBe(403);
    // A page goes to Jupyter's login address, which refuses too: there is no login form.
    const page = await direct("tree", html);
    expect(page.status).toBe(302);
    const login = await request(new URL(page.headers.location!, upstream).href, { headers: html });
    expect(login.status).toBe(403);
    expect(login.body).not.toContain("<form");
    // So does the metrics endpoint, which Jupyter would leave open without a token.
    expect((await direct("metrics")).status).toBe(403);

    const kernels = await direct("api/kernels", { [PROXY_AUTH_HEADER]: secret });
    expect(kernels.status).toBe(200);
  });

  it("refuses a kernel's WebSocket without the proxy's header", async () => {
    const k = await request(`${upstream}${base}api/kernels`, { method: "POST", headers: { [PROXY_AUTH_HEADER]: secret, ...json }, body: "{}" });
    expect(k.status).toBe(201);
    const id = (JSON.parse(k.body) as { id: string }).id;
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`${upstream.replace("http", "ws")}${base}api/kernels/${id}/channels`);
      ws.once("open", () => reject(new Error("a WebSocket without the proxy's header was let through")));
      ws.once("unexpected-response", (_q, res) => resolve(res.statusCode ?? 0));
      ws.once("error", reject);
    });
    expect(status).toBe(403);
  });
});
