// One call to Jira's "who am I" endpoint with Basic auth tells whether the credentials are
// right, who the person is and which groups they are in. The password goes into that one
// Authorization header and nowhere else. Berth never retries a login by itself.

export interface JiraProfile {
  /** Jira Server/DC: the user key; Cloud: the accountId */
  externalId: string;
  /** Server/DC: the username; Cloud: the email address */
  login: string;
  displayName: string | null;
  email: string | null;
  active: boolean;
  groups: string[];
}

export type JiraOutcome =
  | { kind: "ok"; profile: JiraProfile }
  | { kind: "wrong_credentials" }
  | { kind: "captcha"; loginUrl: string }
  | { kind: "unavailable"; detail: string }
  | { kind: "basic_auth_disabled"; detail: string };

export interface JiraSettings {
  url: string;
  deployment: "server" | "cloud";
  timeoutMs: number;
}

interface MyselfBody {
  key?: string;
  name?: string;
  accountId?: string;
  displayName?: string;
  emailAddress?: string;
  active?: boolean;
  groups?: { items?: { name?: string }[] };
}

// Jira Data Center with basic auth blocked answers 401/403 with a body saying so. (Cloud's "basic
// authentication with passwords is deprecated" is a password given where a token belongs: the
// person's mistake, reported as wrong credentials.)
const BASIC_DISABLED = /basic auth(entication)?\s+(has been |is )?(disabled|not allowed|blocked)/i;

export async function checkJiraCredentials(jira: JiraSettings, username: string, password: string): Promise<JiraOutcome> {
  const path = jira.deployment === "cloud" ? "/rest/api/3/myself?expand=groups" : "/rest/api/2/myself?expand=groups";
  let res: Response;
  try {
    res = await fetch(jira.url + path, {
      headers: {
        Authorization: `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`,
        Accept: "application/json",
        // Tells Jira not to answer with a browser login challenge.
        "X-Atlassian-Token": "no-check",
      },
      redirect: "manual",
      signal: AbortSignal.timeout(jira.timeoutMs),
    });
  } catch (err) {
    const e = err as Error;
    return { kind: "unavailable", detail: e.name === "TimeoutError" ? `no answer within ${jira.timeoutMs} ms` : e.message };
  }

  const reason = res.headers.get("x-seraph-loginreason") ?? "";
  const denied = res.headers.get("x-authentication-denied-reason") ?? "";
  if (res.status >= 500 || res.status === 429 || (res.status >= 300 && res.status < 400)) {
    await res.body?.cancel();
    return { kind: "unavailable", detail: `HTTP ${res.status}` };
  }
  if (/CAPTCHA_CHALLENGE/i.test(denied) || (res.status === 403 && /AUTHENTICATION_DENIED/i.test(reason))) {
    await res.body?.cancel();
    const m = /login-url=([^;,\s]+)/i.exec(denied);
    // Only a link on the configured Jira is shown to the person; anything else falls back to it.
    const loginUrl = m && m[1].startsWith(jira.url) ? m[1] : `${jira.url}/login.jsp`;
    return { kind: "captcha", loginUrl };
  }
  if (res.status === 401 || res.status === 403) {
    const body = (await res.text().catch(() => "")).slice(0, 2000);
    if (BASIC_DISABLED.test(body)) return { kind: "basic_auth_disabled", detail: `HTTP ${res.status}` };
    return { kind: "wrong_credentials" };
  }
  if (!res.ok) {
    await res.body?.cancel();
    return { kind: "unavailable", detail: `HTTP ${res.status}` };
  }
  let body: MyselfBody;
  try {
    body = (await res.json()) as MyselfBody;
  } catch {
    return { kind: "unavailable", detail: "Jira's answer was not JSON" };
  }
  const externalId = jira.deployment === "cloud" ? body.accountId : (body.key ?? body.name);
  const login = jira.deployment === "cloud" ? (body.emailAddress ?? username) : (body.name ?? username);
  if (!externalId) return { kind: "unavailable", detail: "Jira's answer named no user" };
  return {
    kind: "ok",
    profile: {
      externalId,
      login,
      displayName: body.displayName ?? null,
      email: body.emailAddress ?? null,
      active: body.active !== false,
      groups: (body.groups?.items ?? []).map((g) => g.name ?? "").filter(Boolean),
    },
  };
}
