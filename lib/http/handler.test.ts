import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { route } from "./handler";

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
      throw new AppError("quota_exceeded", 403, "You have 5 named servers.");
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
