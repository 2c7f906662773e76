import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { AppError } from "../errors";
import { route, toErrorResponse } from "./handler";

const ok = route(async () => new Response("done"));

describe("route()", () => {
  it("refuses a state-changing request from another site, before doing anything", async () => {
    let ran = false;
    const h = route(async () => {
      ran = true;
      return new Response("done");
    });
    const res = await h(new Request("http://berth.test/api/x", { method: "POST", headers: { origin: "https://evil.example", host: "berth.test" } }), {});
    expect(res.status).toBe(403);
    expect((await res.json()).message).toMatch(/other sites/);
    expect(ran).toBe(false);
  });

  it("accepts same-origin requests, requests without Origin, and reads from anywhere", async () => {
    expect((await ok(new Request("http://berth.test/api/x", { method: "POST", headers: { origin: "http://berth.test", host: "berth.test" } }), {})).status).toBe(200);
    expect((await ok(new Request("http://berth.test/api/x", { method: "POST", headers: { host: "berth.test" } }), {})).status).toBe(200);
    expect((await ok(new Request("http://berth.test/api/x", { method: "GET", headers: { origin: "https://elsewhere.example", host: "berth.test" } }), {})).status).toBe(200);
  });

  it("maps AppError to its status and message, and hides unknown errors", async () => {
    const refused = route(async () => {
      throw new AppError("quota_exceeded", "You have 5 named servers.");
    });
    const r1 = await refused(new Request("http://berth.test/"), {});
    expect(r1.status).toBe(403);
    expect(await r1.json()).toEqual({ error: "quota_exceeded", message: "You have 5 named servers." });
    const broken = route(async () => {
      throw new Error("secret internals at /srv/db");
    });
    const r2 = await broken(new Request("http://berth.test/"), {});
    expect(r2.status).toBe(500);
    expect(JSON.stringify(await r2.json())).not.toContain("internals");
  });
});

describe("toErrorResponse()", () => {
  it("answers an AppError with its code's status from the table, its message, details and headers", async () => {
    const res = toErrorResponse(new AppError("timeout", "github.com did not answer within 10 seconds. Try again later.", { reason: "git_unreachable" }, { "retry-after": "10" }));
    expect(res.status).toBe(504);
    expect(res.headers.get("retry-after")).toBe("10");
    expect(await res.json()).toEqual({ error: "timeout", message: "github.com did not answer within 10 seconds. Try again later.", reason: "git_unreachable" });
  });

  it("answers a zod error with 422 naming each field", async () => {
    const parsed = z.object({ name: z.string().min(1), profile: z.string() }).safeParse({ name: "" });
    expect(parsed.success).toBe(false);
    const res = toErrorResponse(parsed.error);
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: string; message: string };
    expect(body.error).toBe("invalid_input");
    expect(body.message).toMatch(/name: .*; profile: /);
  });

  it("logs anything else and answers 500 without its message or stack", async () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const res = toErrorResponse(new TypeError("cannot read row of /srv/berth/secret.db"));
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(JSON.parse(text)).toMatchObject({ error: "internal", message: expect.stringMatching(/Something went wrong on our side/) });
      expect(text).not.toMatch(/secret\.db|TypeError|srv/);
    } finally {
      spy.mockRestore();
    }
    const line = written.map((w) => JSON.parse(w) as { level: string; msg: string; error: string }).find((l) => l.msg === "unhandled error in a route handler");
    expect(line).toMatchObject({ level: "error", error: expect.stringContaining("cannot read row of /srv/berth/secret.db") });
  });
});
