import { describe, expect, it } from "vitest";
import { withoutTokenParam } from "./proxy";

describe("withoutTokenParam", () => {
  it("drops only the token parameter", () => {
    expect(withoutTokenParam("/user/a/s/lab?token=")).toBe("/user/a/s/lab");
    expect(withoutTokenParam("/user/a/s/lab?token=abc&x=1")).toBe("/user/a/s/lab?x=1");
    expect(withoutTokenParam("/user/a/s/api?x=1&token=abc")).toBe("/user/a/s/api?x=1");
    expect(withoutTokenParam("/user/a/s/api?mytoken=1")).toBe("/user/a/s/api?mytoken=1");
    expect(withoutTokenParam("/user/a/s/")).toBe("/user/a/s/");
  });
});
