import { describe, expect, it } from "vitest";
import { isPossibleServerName, isPossibleUserName, serverFromPath, userFromPath } from "./path-segments";
import { refusal } from "../../test/helpers/refusal";

describe("path segments", () => {
  it("accepts every name Berth gives, escaped or not", () => {
    expect(userFromPath("alice")).toBe("alice");
    expect(userFromPath("j.doe")).toBe("j.doe");
    expect(userFromPath("ann%40example.org")).toBe("ann@example.org");
    expect(serverFromPath("analysis-2", "alice")).toBe("analysis-2");
    expect(serverFromPath(undefined, "alice")).toBe("");
    expect(isPossibleUserName("root")).toBe(true);
    expect(isPossibleServerName("")).toBe(true);
  });

  it("answers bytes no name can hold with 400 and a message", () => {
    for (const raw of ["%00", "\u0000", "a%0Ab", "%ZZ", "%E0%A4%A"]) {
      const e = refusal(() => userFromPath(raw));
      expect(e.status, raw).toBe(400);
      expect(e.message).toMatch(/user name in the address/);
    }
    expect(refusal(() => serverFromPath("%00", "alice")).status).toBe(400);
    expect(refusal(() => serverFromPath("x\u0000", "alice")).message).toMatch(/server name in the address contains a control character/);
  });

  it("answers names no one can have with 404, without a lookup", () => {
    expect(refusal(() => userFromPath("Alice")).status).toBe(404);
    expect(refusal(() => userFromPath("a b")).message).toBe('There is no user named "a b".');
    expect(refusal(() => serverFromPath("No-Such", "alice")).message).toMatch(/^alice has no server named "No-Such"/);
  });
});
