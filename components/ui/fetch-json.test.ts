import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "@/lib/runtime/local/local-ports";
import { failureOf, fetchJson, RequestError, UNREACHABLE, unlessGone } from "./fetch-json";

// A real HTTP server answering as Berth's routes (and a broken proxy) do.
let server: http.Server;
let base: string;
const seen: { method?: string; type?: string; body: string }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      seen.push({ method: req.method, type: req.headers["content-type"], body });
      const json = (status: number, value: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
      if (req.url === "/ok") return json(200, { servers: ["a"] });
      if (req.url === "/echo") return json(201, JSON.parse(body));
      if (req.url === "/empty") return res.writeHead(204).end();
      if (req.url === "/refused") return json(422, { error: "invalid_input", message: "The name may have at most 20 characters.", reason: "too_long" });
      if (req.url === "/hub") return json(400, { status: 400, message: "Invalid JSON in body of request" });
      if (req.url === "/gone") return json(404, { error: "not_found", message: "The token does not exist." });
      if (req.url === "/session") return res.writeHead(401).end();
      if (req.url === "/proxy") return res.writeHead(502, { "content-type": "text/html" }).end("<html><body>Bad Gateway</body></html>");
      if (req.url === "/slow") return setTimeout(() => json(200, {}), 3_000);
      json(404, {});
    });
  });
  server.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

async function refusal(p: Promise<unknown>): Promise<RequestError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RequestError);
  return err as RequestError;
}

describe("fetchJson", () => {
  it("resolves with the parsed answer, and sends a body as JSON", async () => {
    expect(await fetchJson(`${base}/ok`)).toEqual({ servers: ["a"] });
    expect(await fetchJson(`${base}/echo`, { method: "POST", body: { name: "lab", profile: "small" } })).toEqual({ name: "lab", profile: "small" });
    expect(seen.at(-1)).toEqual({ method: "POST", type: "application/json", body: '{"name":"lab","profile":"small"}' });
    expect(await fetchJson(`${base}/echo`, { method: "POST", body: '{"ready":true}' })).toEqual({ ready: true });
    expect(await fetchJson(`${base}/empty`, { method: "DELETE" })).toBeUndefined();
  });

  it("throws Berth's own message for a refusal, with its status and the body's other fields", async () => {
    const e = await refusal(fetchJson(`${base}/refused`, { method: "POST", body: {} }));
    expect(e.message).toBe("The name may have at most 20 characters.");
    expect(e.status).toBe(422);
    expect(e.details).toEqual({ error: "invalid_input", reason: "too_long" });
    expect((await refusal(fetchJson(`${base}/hub`))).message).toBe("Invalid JSON in body of request");
  });

  it("says something readable when the answer has no message", async () => {
    const proxy = await refusal(fetchJson(`${base}/proxy`));
    expect(proxy.status).toBe(502);
    expect(proxy.message).toBe("Berth answered 502 without saying why. Try again; if it keeps happening, tell an administrator.");
    expect((await refusal(fetchJson(`${base}/session`))).message).toMatch(/session has ended/);
  });

  it("says Berth could not be reached when nothing answers", async () => {
    const closed = await freePort();
    const e = await refusal(fetchJson(`http://127.0.0.1:${closed}/api/x`));
    expect(e).toMatchObject({ status: 0, message: UNREACHABLE });
  });

  it("rejects with the AbortError itself when the caller aborts", async () => {
    const ctrl = new AbortController();
    const p = fetchJson(`${base}/slow`, { signal: ctrl.signal });
    ctrl.abort();
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).not.toBeInstanceOf(RequestError);
    expect((err as Error).name).toBe("AbortError");
  });
});

describe("failureOf and unlessGone", () => {
  it("turns a call into null or the message to show", async () => {
    expect(await failureOf(fetchJson(`${base}/ok`))).toBeNull();
    expect(await failureOf(fetchJson(`${base}/refused`))).toBe("The name may have at most 20 characters.");
  });

  it("takes a 404 on DELETE as done, and nothing else", async () => {
    expect(await failureOf(fetchJson(`${base}/gone`, { method: "DELETE" }).catch(unlessGone))).toBeNull();
    expect(await failureOf(fetchJson(`${base}/proxy`, { method: "DELETE" }).catch(unlessGone))).toMatch(/answered 502/);
  });
});
