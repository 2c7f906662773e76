import http, { type IncomingMessage, type ServerResponse } from "node:http";
import net, { type AddressInfo } from "node:net";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientResponseHeaders, forwardHttp, parseUpstream, spliceSnippet, upstreamRequestHeaders, type Upstream } from "./forward-http";

// The proxy's HTTP core between a real client and a real upstream on loopback: what crosses, what
// does not, bodies of every framing, and what happens when either side goes away.

let upstream: http.Server;
let front: http.Server;
let up: Upstream;
let frontPort: number;
const seen: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
const errors: string[] = [];
let lastUpstreamClose: Promise<void> = Promise.resolve();
const SNIPPET = `<script src="/_berth/bar.js" defer></script>`;

function upstreamHandler(req: IncomingMessage, res: ServerResponse) {
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (c: string) => (body += c));
  req.on("end", () => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
    const path = (req.url ?? "").split("?")[0];
    if (path.startsWith("/page")) {
      // A Jupyter page; /page-gzip compresses whatever the client asked (some servers do).
      const html = Buffer.from(`<!doctype html><html><HEAD><title>Jupyter</title></HEAD><body>café ${req.headers["accept-encoding"] ?? "none"}</body></html>`);
      const headers: Record<string, string> = { "content-type": path === "/page-latin1" ? "text/html; charset=iso-8859-1" : "text/html; charset=UTF-8", etag: '"upstream"' };
      if (path === "/page-gzip") {
        const gz = zlib.gzipSync(html);
        return res.writeHead(200, { ...headers, "content-encoding": "gzip", "content-length": String(gz.length) }).end(gz);
      }
      if (path === "/page-big") {
        res.writeHead(200, { ...headers, "content-length": String(5 * 1024 * 1024 + html.length) });
        res.write("<!-- ".padEnd(5 * 1024 * 1024, "x"));
        return res.end(html);
      }
      return res.writeHead(200, { ...headers, "content-length": String(html.length) }).end(html);
    }
    if (path === "/nocontent") return res.writeHead(204, { "x-kind": "204" }).end();
    if (path === "/notmodified") return res.writeHead(304, { etag: '"v1"' }).end();
    if (path === "/chunked") {
      res.writeHead(200, { "content-type": "text/plain", connection: "x-private", "x-private": "hop", "keep-alive": "timeout=5" });
      res.write("one,");
      setTimeout(() => res.end("two"), 20);
      return;
    }
    if (path === "/cookies") return res.writeHead(200, { "set-cookie": ["a=1; Path=/", "b=2; Path=/"] }).end("ok");
    if (path === "/cut") {
      res.writeHead(200, { "content-length": "1000" });
      res.write("partial");
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    if (path === "/slow") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("x".repeat(1000));
      lastUpstreamClose = new Promise((resolve) => res.on("close", () => resolve()));
      return; // never ends unless the proxy lets go
    }
    res.writeHead(200, { "content-type": "application/json", "content-length": String(Buffer.byteLength(JSON.stringify({ body }))) });
    res.end(req.method === "HEAD" ? undefined : JSON.stringify({ body }));
  });
}

beforeAll(async () => {
  upstream = http.createServer(upstreamHandler);
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  up = parseUpstream(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
  front = http.createServer((req, res) =>
    forwardHttp(req, res, up, {
      onResponse(upRes) {
        const set = upRes.headers["set-cookie"];
        if (set) upRes.headers["set-cookie"] = set.filter((c) => !c.startsWith("b="));
      },
      // The Berth bar: for top-level page loads only.
      pageSnippet: (req) => (req.headers["sec-fetch-dest"] === "document" ? SNIPPET : undefined),
      onError(err, _req, r) {
        errors.push(err.message);
        if (!r.headersSent) r.writeHead(502).end("upstream error");
        else r.destroy();
      },
    }),
  );
  await new Promise<void>((r) => front.listen(0, "127.0.0.1", r));
  frontPort = (front.address() as AddressInfo).port;
});

afterAll(async () => {
  up.agent.destroy();
  front.closeAllConnections();
  upstream.closeAllConnections();
  await Promise.all([new Promise((r) => front.close(r)), new Promise((r) => upstream.close(r))]);
});

function call(path: string, opts: { method?: string; headers?: Record<string, string>; body?: string | string[] } = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; raw: string[]; body: string }>((resolve, reject) => {
    const req = http.request({ port: frontPort, host: "127.0.0.1", path, method: opts.method ?? "GET", headers: opts.headers, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, raw: res.rawHeaders, body }));
      res.on("error", reject);
    });
    req.on("error", reject);
    if (Array.isArray(opts.body)) for (const part of opts.body) req.write(part);
    else if (opts.body) req.write(opts.body);
    req.end();
  });
}

describe("forwardHttp", () => {
  it("passes path and query as sent, keeps Host, adds X-Forwarded-*, and drops hop-by-hop headers", async () => {
    const r = await call("/user/a/api//x?token=no&y=1", {
      headers: { host: "berth.example.test:8443", connection: "keep-alive, x-secret-hop", "x-secret-hop": "1", "keep-alive": "timeout=1", "proxy-authorization": "Basic Zm9v", te: "trailers", "x-forwarded-for": "10.0.0.1", "x-kept": "yes" },
    });
    expect(r.status).toBe(200);
    const h = seen.at(-1)!;
    expect(h.url).toBe("/user/a/api//x?token=no&y=1");
    expect(h.headers.host).toBe("berth.example.test:8443");
    expect(h.headers["x-kept"]).toBe("yes");
    expect(h.headers["x-forwarded-for"]).toBe("10.0.0.1,127.0.0.1");
    expect(h.headers["x-forwarded-port"]).toBe("8443");
    expect(h.headers["x-forwarded-proto"]).toBe("http");
    expect(h.headers["x-forwarded-host"]).toBe("berth.example.test:8443");
    for (const k of ["x-secret-hop", "keep-alive", "proxy-authorization", "te"]) expect(h.headers[k]).toBeUndefined();
    // The upstream connection is the agent's own, kept alive whatever the client asked.
    expect(h.headers.connection).toBe("keep-alive");
  });

  it("streams request bodies with a length or chunked", async () => {
    const a = await call("/echo", { method: "POST", headers: { "content-type": "text/plain", "content-length": "5" }, body: "hello" });
    expect(JSON.parse(a.body)).toEqual({ body: "hello" });
    const b = await call("/echo", { method: "PUT", body: ["chunk-1,", "chunk-2"] });
    expect(JSON.parse(b.body)).toEqual({ body: "chunk-1,chunk-2" });
    expect(seen.at(-1)!.headers["transfer-encoding"]).toBe("chunked");
    const c = await call("/echo", { method: "DELETE" });
    expect(c.status).toBe(200);
    expect(seen.at(-1)!.method).toBe("DELETE");
  });

  it("passes a chunked answer on without the upstream's hop-by-hop headers", async () => {
    const r = await call("/chunked");
    expect(r.body).toBe("one,two");
    expect(r.headers["x-private"]).toBeUndefined();
    expect(r.headers["keep-alive"]).not.toBe("timeout=5");
    expect(r.headers["transfer-encoding"]).toBe("chunked");
  });

  it("answers HEAD, 204 and 304 without a body, and keeps the connection usable", async () => {
    const head = await call("/echo", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.body).toBe("");
    expect(head.headers["content-length"]).toBeDefined();
    const none = await call("/nocontent");
    expect([none.status, none.body, none.headers["x-kind"]]).toEqual([204, "", "204"]);
    const same = await call("/notmodified", { headers: { "if-none-match": '"v1"' } });
    expect([same.status, same.body, same.headers.etag]).toEqual([304, "", '"v1"']);
    expect((await call("/echo")).status).toBe(200);
  });

  it("lets the response hook change Set-Cookie, and keeps each cookie a header of its own", async () => {
    const r = await call("/cookies");
    expect(r.headers["set-cookie"]).toEqual(["a=1; Path=/"]);
  });

  it("answers through onError when the upstream is not there", async () => {
    const dead = net.createServer();
    await new Promise<void>((r) => dead.listen(0, "127.0.0.1", r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise((r) => dead.close(r));
    const s = http.createServer((req, res) => forwardHttp(req, res, parseUpstream(`http://127.0.0.1:${port}`), { onResponse() {}, onError: (_e, _q, r) => r.writeHead(502).end("down") }));
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    const reply = await fetch(`http://127.0.0.1:${(s.address() as AddressInfo).port}/x`);
    expect(reply.status).toBe(502);
    expect(await reply.text()).toBe("down");
    await new Promise((r) => s.close(r));
  });

  it("cuts the client off when the upstream breaks off mid-body, rather than ending short", async () => {
    await expect(call("/cut")).rejects.toThrow();
  });

  it("lets go of the upstream when the client goes away mid-body", async () => {
    const closed = new Promise<void>((resolve) => {
      const req = http.get({ port: frontPort, host: "127.0.0.1", path: "/slow", agent: false }, (res) => {
        res.once("data", () => {
          req.destroy();
          resolve();
        });
      });
      req.on("error", () => undefined);
    });
    await closed;
    // The upstream's response is closed by the proxy, not left hanging.
    await new Promise((r) => setTimeout(r, 50));
    await lastUpstreamClose;
  });
});

describe("a page's snippet (the Berth bar)", () => {
  const doc = { "sec-fetch-dest": "document", "accept-encoding": "gzip, deflate, br" };

  it("is added before </head> of a top-level page, with the new length, asked for uncompressed", async () => {
    const r = await call("/page", { headers: doc });
    expect(r.status).toBe(200);
    expect(r.body).toBe(`<!doctype html><html><HEAD><title>Jupyter</title>${SNIPPET}</HEAD><body>café none</body></html>`);
    expect(Number(r.headers["content-length"])).toBe(Buffer.byteLength(r.body));
    expect(seen.at(-1)!.headers["accept-encoding"]).toBeUndefined();
    // The ETag named the upstream's bytes.
    expect(r.headers.etag).toBeUndefined();
    expect(r.headers["content-type"]).toBe("text/html; charset=UTF-8");
  });

  it("decodes a page the upstream compressed anyway and sends it uncompressed", async () => {
    const r = await call("/page-gzip", { headers: doc });
    expect(r.body).toContain(`${SNIPPET}</HEAD>`);
    expect(r.body).toContain("café");
    expect(r.headers["content-encoding"]).toBeUndefined();
    expect(Number(r.headers["content-length"])).toBe(Buffer.byteLength(r.body));
  });

  it("leaves everything else as it came: other requests, other types, other charsets, big pages", async () => {
    // Not a top-level page load (a script's fetch of the same page): streamed, compression kept.
    const api = await call("/page-gzip", { headers: { "accept-encoding": "gzip" } });
    expect(api.headers["content-encoding"]).toBe("gzip");
    expect(seen.at(-1)!.headers["accept-encoding"]).toBe("gzip");
    const plain = await call("/page", { headers: { "accept-encoding": "gzip" } });
    expect(plain.body).not.toContain(SNIPPET);
    expect(plain.headers.etag).toBe('"upstream"');
    // JSON to a page load (a document request for an API address), and a charset this does not write.
    expect((await call("/echo", { headers: doc })).body).toBe(JSON.stringify({ body: "" }));
    expect((await call("/page-latin1", { headers: doc })).body).not.toContain(SNIPPET);
    // Past the limit the page passes unchanged, with its own length.
    const big = await call("/page-big", { headers: doc });
    expect(big.body).not.toContain(SNIPPET);
    expect(Number(big.headers["content-length"])).toBe(Buffer.byteLength(big.body));
    // 304 and HEAD carry no body to change.
    expect((await call("/notmodified", { headers: doc })).status).toBe(304);
    expect((await call("/page", { method: "HEAD", headers: doc })).body).toBe("");
  });

  it("splices before </head>, else before the last </body>, else at the end", () => {
    expect(spliceSnippet("<html><head></head><body></body></html>", "S")).toBe("<html><head>S</head><body></body></html>");
    expect(spliceSnippet("<p>x</p></BODY>", "S")).toBe("<p>x</p>S</BODY>");
    expect(spliceSnippet("<p>x</p>", "S")).toBe("<p>x</p>S");
  });
});

describe("header lists", () => {
  it("drops headers the Connection header names", () => {
    const list = clientResponseHeaders({ connection: "close, x-a", "x-a": "1", "x-b": "2", "set-cookie": ["c=1", "d=2"] });
    expect(list).toEqual(["x-b", "2", "set-cookie", "c=1", "set-cookie", "d=2"]);
  });

  it("builds the upstream's request headers from the client's", () => {
    const fake = { headers: { host: "h", upgrade: "websocket", cookie: "x=1" }, socket: { remoteAddress: "::1" } } as unknown as IncomingMessage;
    const h = upstreamRequestHeaders(fake);
    expect(h.upgrade).toBeUndefined();
    expect(h.cookie).toBe("x=1");
    expect(h["x-forwarded-for"]).toBe("::1");
    expect(h["x-forwarded-port"]).toBe("80");
  });
});
