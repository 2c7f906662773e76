import { randomUUID } from "node:crypto";
import WS from "ws";
import type WebSocket from "ws";
import { upstreamAuthHeaders } from "../../lib/runtime/jupyter-auth/jupyter-auth";
import { jupyterFetch } from "./index";

/** Runs code on a kernel over its channels WebSocket (Jupyter's JSON protocol) and returns its stdout. */
export function executeOnKernel(ws: WebSocket, code: string, user = "alice"): Promise<string> {
  const msgId = randomUUID();
  return new Promise<string>((resolve, reject) => {
    let text = "";
    const onMessage = (data: WebSocket.RawData) => {
      const msg = JSON.parse(String(data)) as { msg_type: string; parent_header: { msg_id?: string }; content: { text?: string; execution_state?: string; ename?: string } };
      if (msg.parent_header.msg_id !== msgId) return;
      if (msg.msg_type === "stream") text += msg.content.text ?? "";
      if (msg.msg_type === "error") reject(new Error(`kernel error ${msg.content.ename}`));
      if (msg.msg_type === "status" && msg.content.execution_state === "idle") {
        ws.off("message", onMessage);
        resolve(text);
      }
    };
    ws.on("message", onMessage);
    ws.send(
      JSON.stringify({
        header: { msg_id: msgId, username: user, session: randomUUID(), msg_type: "execute_request", version: "5.3", date: new Date().toISOString() },
        parent_header: {},
        metadata: {},
        content: { code, silent: false, store_history: false, user_expressions: {}, allow_stdin: false, stop_on_error: true },
        channel: "shell",
        buffers: [],
      }),
    );
  });
}

/**
 * Opens a kernel's channels WebSocket through Berth's proxy as a browser on Berth's public
 * address would (Jupyter checks the Origin against the Host); rejects with the status if refused.
 */
export async function openKernelSocket(url: string, cookie: string): Promise<WebSocket> {
  const { default: WS } = await import("ws");
  const ws = new WS(url, { headers: { Cookie: cookie, Host: "berth.example.test", Origin: "https://berth.example.test" } });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) => reject(new Error(`WebSocket refused: ${res.statusCode}`)));
  });
  return ws;
}

/**
 * Runs Python in a new kernel of a running server, straight to its Jupyter (not through Berth's
 * proxy), and returns what it printed. The kernel is shut down afterwards unless `keepKernel`
 * (shutting it down ends the processes it started, which a test may want to outlive it).
 */
export async function runInNewKernel(s: { upstream: string | null; token: string }, baseUrl: string, code: string, opts: { keepKernel?: boolean } = {}): Promise<string> {
  const res = await jupyterFetch(s.upstream!, baseUrl, "api/kernels", s.token, { method: "POST", body: "{}" });
  if (res.status !== 201) throw new Error(`Jupyter answered ${res.status} to a new kernel: ${await res.text()}`);
  const kernel = (await res.json()) as { id: string };
  const ws = new WS(`${s.upstream!.replace("http", "ws")}${baseUrl}api/kernels/${kernel.id}/channels`, { headers: upstreamAuthHeaders(s.token) });
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    return await executeOnKernel(ws, code);
  } finally {
    ws.close();
    if (!opts.keepKernel) await jupyterFetch(s.upstream!, baseUrl, `api/kernels/${kernel.id}`, s.token, { method: "DELETE" });
  }
}
