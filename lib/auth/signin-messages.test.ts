import { describe, expect, it } from "vitest";
import { signinMessage } from "./signin-messages";

describe("signinMessage", () => {
  it("names the credential each kind of sign-in wants", () => {
    expect(signinMessage("wrong_credentials", "jira").text).toMatch(/Wrong Jira username or password/);
    expect(signinMessage("wrong_credentials", "jira-cloud").text).toMatch(/API token/);
    expect(signinMessage("CredentialsSignin", "local").text).toMatch(/Wrong username or password/);
  });
  it("links to Jira's own page for a CAPTCHA, and only to an http(s) address", () => {
    expect(signinMessage("captcha:https://jira.example.org/login.jsp", "jira")).toEqual({ text: expect.stringMatching(/Jira's own page/), link: "https://jira.example.org/login.jsp" });
    expect(signinMessage("captcha:javascript:alert(1)", "jira").link).toBeUndefined();
  });
  it("says how long to wait, in minutes", () => {
    expect(signinMessage("user_locked:840", "jira").text).toMatch(/14 minutes/);
    expect(signinMessage("address_limited:30", "local").text).toMatch(/about a minute/);
  });
  it("tells the operator about disabled basic auth, and that an outage did not count", () => {
    expect(signinMessage("basic_auth_disabled", "jira").text).toMatch(/administrator/);
    expect(signinMessage("jira_unavailable", "jira").text).toMatch(/not answering.*did not count/s);
  });
  it("tells a disabled person who can enable them", () => {
    expect(signinMessage("disabled", "jira").text).toMatch(/disabled.*administrator to enable it/);
  });
  it("falls back to a generic sentence for unknown codes", () => {
    expect(signinMessage("something-else", "local").text).toBe("Sign-in failed. Try again.");
  });
});
