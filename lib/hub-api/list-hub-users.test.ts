import { describe, expect, it } from "vitest";
import { includeStoppedServers, PAGE_DEFAULT, PAGE_MAX, parseUserListQuery } from "./list-hub-users";

const q = (s: string, paginated = true) => parseUserListQuery(new URLSearchParams(s), paginated);

describe("GET /hub/api/users query", () => {
  it("pages like JupyterHub: a default page with its media type, the largest page without", () => {
    expect(q("")).toMatchObject({ offset: 0, limit: PAGE_DEFAULT, sort: "id", descending: false });
    expect(q("", false).limit).toBe(PAGE_MAX);
    expect(q("offset=20&limit=5")).toMatchObject({ offset: 20, limit: 5 });
    expect(q("limit=100000").limit).toBe(PAGE_MAX);
    expect(q("limit=0").limit).toBe(1);
    expect(() => q("limit=ten")).toThrow("Invalid argument type, offset and limit must be integers");
  });

  it("reads state, sort and name filters, refusing unknown ones", () => {
    expect(q("state=ready&sort=-last_activity&name_filter=al")).toMatchObject({ state: "ready", sort: "last_activity", descending: true, nameFilter: "al" });
    expect(() => q("state=sleeping")).toThrow(/Unrecognized state filter: 'sleeping'/);
    expect(() => q("sort=email")).toThrow("sort must be 'id', 'name', or 'last_activity', not 'email'");
  });

  it("treats include_stopped_servers as JupyterHub does: present and not 0/false", () => {
    expect(includeStoppedServers(new URLSearchParams("include_stopped_servers"))).toBe(true);
    expect(includeStoppedServers(new URLSearchParams("include_stopped_servers=1"))).toBe(true);
    expect(includeStoppedServers(new URLSearchParams("include_stopped_servers=false"))).toBe(false);
    expect(includeStoppedServers(new URLSearchParams(""))).toBe(false);
  });
});
