// Short codes travel from the sign-in provider to the page (next-auth passes the thrown error's
// message); the page turns them into sentences. Pure: imported by the client form.

export type SigninCode =
  | "CredentialsSignin"
  | "wrong_credentials"
  | "captcha"
  | "inactive"
  | "jira_unavailable"
  | "basic_auth_disabled"
  | "user_locked"
  | "address_limited"
  | "name_conflict"
  | "disabled";

function waitText(seconds: number): string {
  const m = Math.ceil(seconds / 60);
  return m <= 1 ? "about a minute" : `${m} minutes`;
}

/** `code` or `code:param` → a sentence and, for CAPTCHA, the link to Jira's own page. */
export type SigninMode = "jira" | "jira-cloud" | "local";

export function signinMessage(raw: string, mode: SigninMode): { text: string; link?: string } {
  const i = raw.indexOf(":");
  const code = (i > 0 ? raw.slice(0, i) : raw) as SigninCode;
  const param = i > 0 ? raw.slice(i + 1) : "";
  switch (code) {
    case "CredentialsSignin":
    case "wrong_credentials":
      if (mode === "jira-cloud") {
        return { text: "Wrong email address or API token. Jira Cloud needs an API token, not your password: create one in your Atlassian account settings (Security → API tokens)." };
      }
      return { text: mode === "jira" ? "Wrong Jira username or password. Check both and try again." : "Wrong username or password. Check both and try again." };
    case "captcha":
      return {
        text: "Jira wants you to prove you are not a robot after several failed sign-ins. Sign in once on Jira's own page (solve the CAPTCHA there), then come back and sign in here.",
        link: /^https?:\/\//.test(param) ? param : undefined,
      };
    case "inactive":
      return { text: "Your Jira account is deactivated. Ask a Jira administrator to reactivate it." };
    case "jira_unavailable":
      return { text: "Jira is not answering, so Berth cannot check your password right now. Try again in a few minutes; this did not count as a failed attempt." };
    case "basic_auth_disabled":
      return { text: "This Jira does not accept username-and-password sign-in from other applications (basic authentication is disabled). Ask your Berth administrator: Jira must allow basic authentication for Berth." };
    case "user_locked":
      return { text: `Too many failed sign-ins for this username. To keep Jira from locking your account, Berth will not try again for ${waitText(Number(param) || 900)}.` };
    case "address_limited":
      return { text: `Too many sign-in attempts from your network address. Wait ${waitText(Number(param) || 900)}, then try again.` };
    case "name_conflict":
      return { text: "A local Berth account already uses this name, so Berth cannot sign you in with Jira. Ask your Berth administrator." };
    case "disabled":
      return { text: "Your Berth account is disabled, so you cannot sign in. Ask a Berth administrator to enable it again; your servers' files are kept." };
    default:
      return { text: "Sign-in failed. Try again." };
  }
}
