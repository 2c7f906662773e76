import { describe, expect, it } from "vitest";
import { route } from "./handler";
import { isUserServerPath, refusal } from "./request-origin";

const HOST = "berth.test";
const SESSION = "next-auth.session-token=abc";
const h = (headers: Record<string, string>) => new Headers({ host: HOST, ...headers });
/** What Chromium sends for a fetch from one of Berth's own pages. */
const fromBerthPage = (path = "/servers") => ({ cookie: SESSION, "sec-fetch-site": "same-origin", origin: `http://${HOST}`, referer: `http://${HOST}${path}` });

describe("refusal(): who may change things with the browser's session", () => {
  it("lets Berth's own pages through", () => {
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) expect(refusal(method, h(fromBerthPage()))).toBeNull();
    expect(refusal("POST", h(fromBerthPage("/signin?callbackUrl=%2Fuser%2Falice%2F")))).toBeNull();
    // The warning page's form: its own address names a /user/ path only in the query.
    expect(refusal("POST", h(fromBerthPage("/open-server?next=/user/alice/tree")))).toBeNull();
    // Behind a reverse proxy that names the public host.
    expect(refusal("POST", new Headers({ host: "127.0.0.1:3000", "x-forwarded-host": HOST, ...fromBerthPage() }))).toBeNull();
  });

  it.each([
    ["/user/alice/files/evil.html"],
    ["/user/alice/work/notebooks/x.ipynb"],
    ["/user/alice"],
    ["//user/alice/"],
    ["/%75ser/alice/"],
  ])("refuses a change sent from the notebook page %s", (path) => {
    const r = refusal("DELETE", h(fromBerthPage(path)));
    expect(r?.message).toMatch(/page of a notebook server/);
  });

  it("refuses a browser request that hides its Referer", () => {
    const { referer: _omit, ...rest } = fromBerthPage();
    expect(refusal("POST", h(rest))?.message).toMatch(/Referer/);
    // Even without cookies: a browser's request must say where it comes from.
    expect(refusal("POST", h({ "sec-fetch-site": "same-origin" }))?.message).toMatch(/Referer/);
  });

  it.each([
    [{ "sec-fetch-site": "cross-site", referer: "https://evil.example/" }],
    [{ "sec-fetch-site": "same-site", referer: "http://alice.berth.test/" }],
    [{ "sec-fetch-site": "none" }],
    [{ "sec-fetch-site": "same-origin", origin: "null", referer: `http://${HOST}/servers` }],
    [{ "sec-fetch-site": "same-origin", origin: "https://evil.example", referer: `http://${HOST}/servers` }],
    [{ "sec-fetch-site": "same-origin", referer: "https://evil.example/servers" }],
    [{ origin: "https://evil.example" }],
    [{ origin: "null" }],
  ])("refuses requests from elsewhere: %o", (headers) => {
    expect(refusal("POST", h({ cookie: SESSION, ...headers }))?.message).toMatch(/other sites/);
  });

  it("refuses a cookie-carrying request whose Referer is a notebook page even without Sec-Fetch-Site (older browsers)", () => {
    expect(refusal("POST", h({ cookie: SESSION, referer: `http://${HOST}/user/alice/tree` }))).not.toBeNull();
  });

  it("leaves reads and programs without cookies alone", () => {
    expect(refusal("GET", h({ cookie: SESSION, "sec-fetch-site": "cross-site", referer: `http://${HOST}/user/alice/` }))).toBeNull();
    expect(refusal("HEAD", h({ "sec-fetch-site": "same-origin" }))).toBeNull();
    expect(refusal("POST", h({}))).toBeNull();
    expect(refusal("POST", h({ authorization: "token x", cookie: "_xsrf=1" }))).toBeNull();
    // A program holding a session cookie but no browser headers (Playwright's API client, curl).
    expect(refusal("POST", h({ cookie: SESSION }))).toBeNull();
  });

  it("lets an API token through without cookies, even from a notebook page (it acts only as its holder)", () => {
    const notebook = { "sec-fetch-site": "same-origin", origin: `http://${HOST}`, referer: `http://${HOST}/user/alice/lab` };
    expect(refusal("POST", h({ ...notebook, authorization: "token berth_abc" }))).toBeNull();
    expect(refusal("DELETE", h({ ...notebook, authorization: "Bearer berth_abc" }))).toBeNull();
    // With Berth's cookies the browser would also be sending the session: refused as before.
    expect(refusal("POST", h({ ...notebook, cookie: SESSION, authorization: "token berth_abc" }))?.message).toMatch(/notebook server/);
    // Without a token (or with something that is not one) nothing changes.
    expect(refusal("POST", h(notebook))?.message).toMatch(/notebook server/);
    expect(refusal("POST", h({ ...notebook, authorization: "Basic YTpi" }))?.message).toMatch(/notebook server/);
    // Another site stays refused, token or not (and the browser would not send it without CORS).
    expect(refusal("POST", h({ origin: "https://evil.example", authorization: "token berth_abc" }))?.message).toMatch(/other sites/);
  });

  it("treats the secure cookie names as Berth's too", () => {
    expect(refusal("POST", h({ cookie: "__Secure-next-auth.session-token=x", referer: `http://${HOST}/user/a/` }))).not.toBeNull();
  });
});

describe("isUserServerPath", () => {
  it("knows /user/ paths from Berth's own", () => {
    expect(isUserServerPath("/user/alice/")).toBe(true);
    expect(isUserServerPath("/users")).toBe(false);
    expect(isUserServerPath("/servers")).toBe(false);
    expect(isUserServerPath("/open-server")).toBe(false);
  });
});

describe("route() applies the rules before the handler runs", () => {
  it("refuses a DELETE from a notebook page with 403 JSON and does nothing", async () => {
    let ran = false;
    const handler = route(async () => {
      ran = true;
      return new Response(null, { status: 204 });
    });
    const res = await handler(new Request(`http://${HOST}/api/users/alice/servers/work`, { method: "DELETE", headers: h(fromBerthPage("/user/alice/files/x.html")) }), {});
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: "forbidden", message: expect.stringMatching(/notebook server/) });
    expect(ran).toBe(false);
  });
});
