import { describe, expect, it } from "vitest";
import { fromOtherOrigin, userHostCookies } from "./user-host-proxy";

const ORIGIN = "https://alice.notebooks.example.org";

describe("fromOtherOrigin", () => {
  it.each([
    [{ origin: ORIGIN }, false],
    [{}, false],
    [{ "sec-fetch-site": "same-origin", "sec-fetch-mode": "cors" }, false],
    [{ "sec-fetch-site": "none", "sec-fetch-mode": "navigate" }, false],
    // a link from Berth or anywhere else opens the server
    [{ "sec-fetch-site": "same-site", "sec-fetch-mode": "navigate" }, false],
    [{ "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate" }, false],
    // another person's host (same site) or another site reaching in
    [{ origin: "https://bob.notebooks.example.org" }, true],
    [{ origin: "https://notebooks.example.org" }, true],
    [{ origin: "null" }, true],
    [{ origin: ORIGIN.replace("https", "http") }, true],
    [{ origin: "https://bob.notebooks.example.org", "sec-fetch-mode": "navigate" }, true],
    [{ "sec-fetch-site": "same-site", "sec-fetch-mode": "no-cors" }, true],
    [{ "sec-fetch-site": "cross-site", "sec-fetch-mode": "cors" }, true],
  ])("%j → %s", (headers, refused) => {
    expect(fromOtherOrigin(headers, ORIGIN)).toBe(refused);
  });
});

describe("userHostCookies", () => {
  it("uses __Host- names over https, so no sibling host can plant them", () => {
    expect(userHostCookies(true)).toEqual({ auth: "__Host-berth-user-auth", state: "__Host-berth-user-state" });
    expect(userHostCookies(false)).toEqual({ auth: "berth-user-auth", state: "berth-user-state" });
  });
});
