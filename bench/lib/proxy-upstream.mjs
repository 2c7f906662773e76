// The upstream of the proxy benchmark: one Node process on loopback answering a small JSON body
// and a 1 MiB body over keep-alive HTTP, and echoing WebSocket messages. It stands in for a
// server's Jupyter and does as little as it can, so the figures measure the proxies in front of it.
// Prints {"port": N} on its first line once it listens.
import http from "node:http";
import { WebSocketServer } from "ws";

const small = Buffer.from(JSON.stringify({ name: "python3", execution_state: "idle", connections: 1, last_activity: "2026-12-01T00:00:00.000Z" }));
const big = Buffer.alloc(1 << 20, "berth ");

const server = http.createServer((req, res) => {
  const path = (req.url ?? "/").split("?")[0];
  const body = path.endsWith("/big") ? big : small;
  res.writeHead(200, { "content-type": path.endsWith("/big") ? "application/octet-stream" : "application/json", "content-length": body.length });
  res.end(req.method === "HEAD" ? undefined : body);
});
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
const wss = new WebSocketServer({ server, perMessageDeflate: false });
wss.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary })));
server.listen(0, "127.0.0.1", () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));
process.on("SIGTERM", () => process.exit(0));
