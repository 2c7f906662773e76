import { spawn, type ChildProcess } from "node:child_process";

// A stand-in for many Jupyter servers, in a process of its own: answers GET <base>api/status for
// any base path as that server's Jupyter would, with a last_activity that depends on the path
// (fixed per server): 90 % active a minute ago (a kernel busy: kept), 8 % three hours ago (idle:
// culled), 2 % HTTP 503 (not answering: kept on a first failure).

const SCRIPT = `
const http = require("node:http");
const hash = (s) => { let h = 5381; for (let i = 0; i < s.length; i++) h = ((h * 33) ^ s.charCodeAt(i)) >>> 0; return h; };
const started = new Date(Date.now() - 5 * 3600e3).toISOString();
const server = http.createServer((req, res) => {
  const base = (req.url || "").replace(/api\\/status(\\?.*)?$/, "");
  const k = hash(base) % 100;
  if (k >= 98) { res.writeHead(503).end(); return; }
  const ago = k < 90 ? 60e3 : 3 * 3600e3;
  const body = JSON.stringify({ started, last_activity: new Date(Date.now() - ago).toISOString(), connections: 0, kernels: 1 });
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body);
});
server.keepAliveTimeout = 5000;
server.listen(0, "127.0.0.1", () => process.stdout.write(server.address().port + "\\n"));
process.on("SIGTERM", () => process.exit(0));
`;

/** What the double answers for a base path ("/user/a/s1/"): the same rule as the script. */
export function expectedAnswer(base: string): "active" | "idle" | "unreachable" {
  let h = 5381;
  for (let i = 0; i < base.length; i++) h = ((h * 33) ^ base.charCodeAt(i)) >>> 0;
  const k = h % 100;
  return k >= 98 ? "unreachable" : k < 90 ? "active" : "idle";
}

export async function startStatusDouble(): Promise<{ url: string; stop: () => void }> {
  const child: ChildProcess = spawn(process.execPath, ["-e", SCRIPT], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (c: string) => {
      out += c;
      if (out.includes("\n")) resolve(Number(out.trim()));
    });
    child.on("exit", (code) => reject(new Error(`the status double exited (code ${code})`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill("SIGTERM") };
}
