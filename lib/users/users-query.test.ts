import { describe, expect, it } from "vitest";
import { likePattern, pageOffset, parseUsersQuery, usersQuerySchema, USERS_PAGE_SIZE } from "./users-query";
import { orderBy, searchCondition } from "./users-sql";

describe("the Users tab's query", () => {
  it("defaults to the first page of everyone by name, A→Z", () => {
    expect(parseUsersQuery(new URLSearchParams())).toEqual({ q: "", sort: "name", dir: "asc", page: 1 });
  });

  it("sorts newest / busiest first unless told otherwise", () => {
    expect(parseUsersQuery({ sort: "running" })).toMatchObject({ sort: "running", dir: "desc" });
    expect(parseUsersQuery({ sort: "lastLogin", dir: "asc" })).toMatchObject({ sort: "lastLogin", dir: "asc" });
  });

  it("trims the search and reads the page as a number", () => {
    expect(parseUsersQuery({ q: "  ada ", page: "3" })).toMatchObject({ q: "ada", page: 3 });
    expect(pageOffset(3)).toBe(2 * USERS_PAGE_SIZE);
  });

  it("falls back part by part on a hand-edited URL instead of failing", () => {
    expect(parseUsersQuery({ q: "bob", sort: "password", dir: "sideways", page: "-2" })).toEqual({ q: "bob", sort: "name", dir: "asc", page: 1 });
    expect(parseUsersQuery({ sort: "created", page: "x" })).toEqual({ q: "", sort: "created", dir: "desc", page: 1 });
  });

  it("refuses invalid values where the caller must be told (the API)", () => {
    expect(usersQuerySchema.safeParse({ sort: "password_hash" }).success).toBe(false);
    expect(usersQuerySchema.safeParse({ page: "0" }).success).toBe(false);
    expect(usersQuerySchema.safeParse({ q: "x".repeat(201) }).success).toBe(false);
  });

  it("makes %, _ and \\ in a search match themselves", () => {
    expect(likePattern("a_b%c\\d")).toBe("%a\\_b\\%c\\\\d%");
  });

  it("passes the search as a bound parameter, never as SQL text", () => {
    const sql = searchCondition("x' OR 1=1 --");
    expect(sql.sql).not.toContain("OR 1=1");
    expect(sql.values).toEqual(["%x' OR 1=1 --%", "%x' OR 1=1 --%", "%x' OR 1=1 --%"]);
    expect(searchCondition("").sql).toBe("TRUE");
  });

  it("orders by a fixed column, never-signed-in last, the name breaking ties", () => {
    expect(orderBy("name", "asc").sql).toBe("u.name ASC");
    expect(orderBy("lastLogin", "desc").sql).toBe("u.last_login_at DESC NULLS LAST, u.name ASC");
    expect(orderBy("created", "asc").sql).toBe("u.created_at ASC, u.name ASC");
  });
});
