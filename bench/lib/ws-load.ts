import { performance } from "node:perf_hooks";
import WebSocket from "ws";

// WebSocket load from this process (the `ws` package): messages per second with a few clients each
// ping-ponging one message at a time, and connections opened (and closed) per second.

function open(url: string, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) => reject(new Error(`WebSocket refused: HTTP ${res.statusCode}`)));
  });
}

/** Echo round trips per second (each counts as one message) over `clients` sockets for `seconds`. */
export async function wsMessages(url: string, opts: { clients: number; seconds: number; headers?: Record<string, string>; size?: number }): Promise<{ perSecond: number; messages: number }> {
  const sockets = await Promise.all(Array.from({ length: opts.clients }, () => open(url, opts.headers ?? {})));
  const payload = Buffer.alloc(opts.size ?? 64, "m");
  const end = performance.now() + opts.seconds * 1000;
  const t0 = performance.now();
  let messages = 0;
  await Promise.all(
    sockets.map(
      (ws) =>
        new Promise<void>((resolve, reject) => {
          ws.on("message", () => {
            messages++;
            if (performance.now() < end) ws.send(payload);
            else resolve();
          });
          ws.once("error", reject);
          ws.once("close", () => reject(new Error("WebSocket closed during the run")));
          ws.send(payload);
        }),
    ),
  );
  const seconds = (performance.now() - t0) / 1000;
  for (const ws of sockets) {
    ws.removeAllListeners("close");
    ws.terminate();
  }
  return { perSecond: messages / seconds, messages };
}

/** WebSocket handshakes completed per second, `clients` at a time, each socket closed once open. */
export async function wsConnects(url: string, opts: { clients: number; seconds: number; headers?: Record<string, string> }): Promise<{ perSecond: number; connects: number }> {
  const end = performance.now() + opts.seconds * 1000;
  const t0 = performance.now();
  let connects = 0;
  await Promise.all(
    Array.from({ length: opts.clients }, async () => {
      while (performance.now() < end) {
        const ws = await open(url, opts.headers ?? {});
        connects++;
        await new Promise<void>((resolve) => {
          ws.once("close", () => resolve());
          ws.close();
        });
      }
    }),
  );
  return { perSecond: connects / ((performance.now() - t0) / 1000), connects };
}
