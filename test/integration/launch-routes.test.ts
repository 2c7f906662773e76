import { describe, expect, it } from "vitest";
import { GET as getBuild } from "../../app/build/[provider]/[...spec]/route";
import { db } from "../../lib/db/client";

// The event stream creates and starts servers, so it refuses a request a browser marks as coming
// from another site before anything else — a link or form elsewhere cannot make a signed-in
// person launch something. (That both launch APIs need a session is checked in e2e/launch.spec.ts,
// where next-auth runs inside a real request.)

const ctx = { params: Promise.resolve({ provider: "gh", spec: ["octo", "demo", "HEAD"] }) };

describe("launch routes", () => {
  it("refuses a cross-site /build request before anything else, and changes nothing", async () => {
    const before = await db().build.count();
    const res = await getBuild(new Request("http://localhost:3000/build/gh/octo/demo/HEAD", { headers: { "sec-fetch-site": "cross-site", accept: "text/event-stream" } }), ctx);
    expect(res.status).toBe(403);
    expect((await res.json()) as { message: string }).toMatchObject({ error: "forbidden", message: expect.stringMatching(/launch page/) });
    expect(await db().build.count()).toBe(before);
  });
});
