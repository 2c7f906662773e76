import { describe, expect, it } from "vitest";
import { loginName } from "./login-name";

describe("loginName", () => {
  it("keeps a Jira Server username that fits, lower-cased", () => {
    expect(loginName("JSmith", "JIRAUSER10100", "server")).toBe("jsmith");
    expect(loginName("ann.lee@corp", "k1", "server")).toBe("ann.lee@corp");
  });
  it("uses the email's local part on Cloud", () => {
    expect(loginName("Ann.Lee@example.com", "5b10ac8d82e05b22cc7d4ef5", "cloud")).toBe("ann.lee");
  });
  it("escapes anything else and adds a hash of the Jira id so names stay distinct", () => {
    const a = loginName("Jöhn Doe", "id-1", "server");
    const b = loginName("Jöhn Doe", "id-2", "server");
    expect(a).toMatch(/^j-hn-doe-[0-9a-f]{6}$/);
    expect(a).not.toBe(b);
  });
});
