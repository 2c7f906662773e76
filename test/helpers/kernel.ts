import { randomUUID } from "node:crypto";
import type WebSocket from "ws";

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
