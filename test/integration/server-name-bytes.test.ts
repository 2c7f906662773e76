import { beforeAll, describe, expect, it } from "vitest";
import { db } from "../../lib/db/client";
import { AppError } from "../../lib/errors";
import { deleteServer } from "../../lib/servers/delete-server";
import { listServers } from "../../lib/servers/list-servers";
import { startServer } from "../../lib/servers/start-server";
import { stopServer } from "../../lib/servers/stop-server";
import type { Actor } from "../../lib/auth/actor";
import { makeUser } from "../helpers";

// A NUL byte in a user or server name made PostgreSQL fail the query (a 500). Names no one can
// have are answered before any lookup, by every service that takes a name (issue 9, point 7).

let admin: Actor;

beforeAll(async () => {
  admin = await makeUser("pathadmin", true);
  await makeUser("pathuser");
});

async function refused(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    expect(err, String(err)).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error("expected a refusal");
}

describe("names with bytes no name can hold", () => {
  it("are 'not found' for every service, and PostgreSQL is never asked", async () => {
    // PostgreSQL itself refuses a NUL byte in text: this is what the services used to pass on.
    await expect(db().user.findUnique({ where: { name: "a\u0000b" } })).rejects.toThrow();
    for (const name of ["\u0000", "a\u0000b", "Alice", "%00"]) {
      const e = await refused(listServers(admin, name));
      expect(e.status).toBe(404);
      expect(e.message).toBe(`There is no user named "${name}".`);
    }
    for (const call of [startServer(admin, "pathuser", "\u0000"), stopServer(admin, "pathuser", "x\u0000y"), deleteServer(admin, "pathuser", "\u0000")]) {
      const e = await refused(call);
      expect(e.status).toBe(404);
      expect(e.message).toMatch(/^pathuser has no server named/);
    }
    expect(await db().server.count({ where: { owner: { name: "pathuser" } } })).toBe(0);
  });
});
