import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { defaultDir, parseServersQuery, serversQueryString } from "./servers-query";

describe("servers query", () => {
  it("defaults to the first page by owner, A to Z", () => {
    expect(parseServersQuery({})).toEqual({ sort: "owner", dir: "asc", page: 1 });
    expect(parseServersQuery(new URLSearchParams(""))).toEqual({ sort: "owner", dir: "asc", page: 1 });
  });

  it("reads every filter, and treats empty form fields as no filter", () => {
    const q = parseServersQuery(new URLSearchParams("state=running&owner=Ali&profile=gpu&idle=30&sort=lastActivity&page=3"));
    expect(q).toEqual({ state: "running", owner: "Ali", profile: "gpu", idle: 30, sort: "lastActivity", dir: "desc", page: 3 });
    expect(parseServersQuery(new URLSearchParams("state=&owner=%20&profile=&idle=&sort=&dir=&page="))).toEqual({ sort: "owner", dir: "asc", page: 1 });
    expect(parseServersQuery({ user: ["bob", "eve"] }).user).toBe("bob");
  });

  it("puts times most recent first unless asked otherwise", () => {
    expect(defaultDir("started")).toBe("desc");
    expect(defaultDir("name")).toBe("asc");
    expect(parseServersQuery({ sort: "started", dir: "asc" }).dir).toBe("asc");
  });

  it("refuses values no filter takes, naming the field", () => {
    for (const bad of [{ state: "sleeping" }, { sort: "password" }, { dir: "up" }, { idle: "0" }, { idle: "ten" }, { page: "0" }, { page: "1.5" }, { owner: "x".repeat(65) }]) {
      const err = (() => {
        try {
          parseServersQuery(bad);
        } catch (e) {
          return e;
        }
      })();
      expect(err, JSON.stringify(bad)).toBeInstanceOf(ZodError);
      expect((err as ZodError).issues[0].path[0]).toBe(Object.keys(bad)[0]);
    }
  });

  it("writes short links: defaults left out, a new filter starts at page 1 only when asked", () => {
    const q = parseServersQuery({ state: "running", page: "4" });
    expect(serversQueryString(q)).toBe("?state=running&page=4");
    expect(serversQueryString(q, { sort: "name", page: 1 })).toBe("?state=running&sort=name");
    expect(serversQueryString(q, { sort: "started", dir: "desc", page: 1 })).toBe("?state=running&sort=started");
    expect(serversQueryString(q, { sort: "started", dir: "asc", page: 1 })).toBe("?state=running&sort=started&dir=asc");
    expect(serversQueryString({ owner: "a b&c" })).toBe("?owner=a+b%26c");
    expect(serversQueryString({})).toBe("");
  });

  it("round-trips through its own query string", () => {
    const q = parseServersQuery({ state: "failed", owner: "al", idle: "15", sort: "state", dir: "desc", page: "2" });
    expect(parseServersQuery(new URLSearchParams(serversQueryString(q)))).toEqual(q);
  });
});
