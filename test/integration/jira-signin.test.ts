import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { startJiraDouble } from "../doubles/jira";

// Jira Server / Data Center. The double is started before Berth's configuration is first read.
const PASSWORDS = { alice: "alice-Jira-pw-1", root: "root-Jira-pw-2", gone: "gone-Jira-pw-3", bob: "bob-Jira-pw-4", carol: "carol-Jira-pw-5", dave: "dave-Jira-pw-6" };
const jira = await startJiraDouble({
  captchaAfter: 3,
  users: [
    { name: "alice", key: "JIRAUSER10100", password: PASSWORDS.alice, email: "alice@example.org", displayName: "Alice Liddell" },
    { name: "Root", key: "JIRAUSER10001", password: PASSWORDS.root, email: "root@example.org", displayName: "Rooty", groups: ["jira-administrators", "jira-software-users"] },
    { name: "gone", key: "JIRAUSER10200", password: PASSWORDS.gone, email: "gone@example.org", displayName: "Gone", active: false },
    { name: "bob", key: "JIRAUSER10300", password: PASSWORDS.bob, email: "bob@example.org", displayName: "Bob" },
    { name: "carol", key: "JIRAUSER10400", password: PASSWORDS.carol, email: "carol@example.org", displayName: "Carol" },
    { name: "dave", key: "JIRAUSER10500", password: PASSWORDS.dave, email: "dave@example.org", displayName: "Dave" },
  ],
});
process.env.JIRA_URL = jira.url;
process.env.JIRA_TIMEOUT_SECONDS = "1";
process.env.BERTH_SIGNIN_ATTEMPTS_PER_ADDRESS = "5";

// Everything Berth writes to stdout/stderr during this file, to prove no password leaks.
const written: string[] = [];
const origOut = process.stdout.write.bind(process.stdout);
const origErr = process.stderr.write.bind(process.stderr);
process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => (written.push(String(chunk)), origOut(chunk, ...rest))) as typeof process.stdout.write;
process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => (written.push(String(chunk)), origErr(chunk, ...rest))) as typeof process.stderr.write;
process.env.BERTH_LOG_LEVEL = "debug";

const { db } = await import("../../lib/db/client");
const { signInJira } = await import("../../lib/auth/jira/sign-in-jira");
const { authOptions, signinModes } = await import("../../lib/auth/options");
const { signinMessage } = await import("../../lib/auth/signin-messages");

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect((err as Error).name).toBe("SigninRefused");
    return (err as Error).message;
  }
  throw new Error("expected the sign-in to be refused");
}

beforeEach(async () => {
  jira.reset();
  await db().$executeRawUnsafe(`TRUNCATE signin_attempts`);
});

afterAll(async () => {
  process.stdout.write = origOut;
  process.stderr.write = origErr;
  await jira.close();
});

describe("Jira Server sign-in", () => {
  it("offers the Jira provider and, by default, no local accounts", () => {
    const ids = authOptions().providers.map((p) => (p.options as { id?: string } | undefined)?.id ?? p.id);
    expect(ids).toEqual(["jira"]);
    expect(signinModes()).toEqual(["jira"]);
  });

  it("creates the user from /rest/api/2/myself with one call, and updates it at the next sign-in", async () => {
    const u = await signInJira("alice", PASSWORDS.alice, "10.0.0.1");
    expect(u).toMatchObject({ name: "alice", externalId: "JIRAUSER10100", displayName: "Alice Liddell", email: "alice@example.org", isAdmin: false, passwordHash: null });
    expect(jira.requests).toHaveLength(1);
    expect(jira.requests[0]).toMatchObject({ deployment: "server", username: "alice", result: "ok" });
    const again = await signInJira("ALICE", PASSWORDS.alice, "10.0.0.1");
    expect(again.id).toBe(u.id);
    expect(await db().user.count({ where: { externalId: "JIRAUSER10100" } })).toBe(1);
  });

  it("writes the attempt, the audit event and the session row of a sign-in, first and returning alike", async () => {
    const first = await signInJira("bob", PASSWORDS.bob, "10.0.0.9", { userAgent: "agent-1" });
    const again = await signInJira("bob", PASSWORDS.bob, "10.0.0.9", { userAgent: "agent-2" });
    expect(again.id).toBe(first.id);
    for (const [u, agent] of [[first, "agent-1"], [again, "agent-2"]] as const) {
      expect(u.sid).toMatch(/^[0-9a-f-]{36}$/);
      const row = await db().userSession.findUniqueOrThrow({ where: { id: u.sid! } });
      expect(row).toMatchObject({ userId: first.id, userAgent: agent, address: "10.0.0.9", revokedAt: null });
      expect(row.expiresAt.getTime()).toBeGreaterThan(Date.now() + 3600_000);
    }
    const events = await db().event.findMany({ where: { action: "signin", targetUser: "bob" }, orderBy: { at: "asc" } });
    expect(events.slice(-2).map((e) => [e.actorId, e.actorName, e.details])).toEqual([
      [first.id, "bob", { via: "jira", admin: false }],
      [first.id, "bob", { via: "jira", admin: false }],
    ]);
    const attempts = await db().signinAttempt.findMany({ where: { username: "bob" } });
    expect(attempts.map((a) => a.outcome)).toEqual(["success", "success"]);
    // Without a cookie to issue (the CLI, a test), no session row is made.
    expect((await signInJira("bob", PASSWORDS.bob, null)).sid).toBeUndefined();
  });

  it("creates one user when a person's first sign-ins race each other", async () => {
    const results = await Promise.all(Array.from({ length: 4 }, () => signInJira("dave", PASSWORDS.dave, null)));
    expect(new Set(results.map((u) => u.id)).size).toBe(1);
    expect(await db().user.count({ where: { name: "dave" } })).toBe(1);
  });

  it("makes members of JIRA_ADMIN_GROUPS administrators, recomputed at every sign-in", async () => {
    const root = await signInJira("Root", PASSWORDS.root, null);
    expect(root).toMatchObject({ name: "root", isAdmin: true });
    await db().user.update({ where: { id: root.id }, data: { isAdmin: false } });
    expect((await signInJira("root", PASSWORDS.root, null)).isAdmin).toBe(true);
    const alice = await signInJira("alice", PASSWORDS.alice, null);
    await db().user.update({ where: { id: alice.id }, data: { isAdmin: true } });
    expect((await signInJira("alice", PASSWORDS.alice, null)).isAdmin).toBe(false);
  });

  it("says wrong username or password on 401 AUTHENTICATED_FAILED, for unknown users too", async () => {
    expect(await refusal(signInJira("alice", "not-it", null))).toBe("wrong_credentials");
    expect(await refusal(signInJira("nobody", "whatever", null))).toBe("wrong_credentials");
    expect(jira.requests.map((r) => r.result)).toEqual(["wrong", "wrong"]);
  });

  it("passes on Jira's CAPTCHA with the link to Jira's own login page", async () => {
    jira.failedCount.set("bob", 3);
    const msg = await refusal(signInJira("bob", PASSWORDS.bob, null));
    expect(msg).toBe(`captcha:${jira.url}/login.jsp`);
    // Even the right password is refused by Jira until the CAPTCHA is solved there.
    expect(jira.requests[0].result).toBe("captcha");
  });

  it("refuses a deactivated account and creates no user", async () => {
    expect(await refusal(signInJira("gone", PASSWORDS.gone, null))).toBe("inactive");
    expect(await db().user.findFirst({ where: { externalId: "JIRAUSER10200" } })).toBeNull();
  });

  it("refuses an account a Berth administrator disabled, even with Jira's yes, and lets it in once enabled", async () => {
    const first = await signInJira("carol", PASSWORDS.carol, null);
    await db().user.update({ where: { id: first.id }, data: { disabledAt: new Date(), displayName: "Before" } });
    expect(await refusal(signInJira("carol", PASSWORDS.carol, null))).toBe("disabled");
    expect(signinMessage("disabled", "jira").text).toMatch(/Your Berth account is disabled/);
    // Refused before anything about the account changed.
    expect(await db().user.findUniqueOrThrow({ where: { id: first.id } })).toMatchObject({ displayName: "Before", lastLoginAt: first.lastLoginAt });
    await db().user.update({ where: { id: first.id }, data: { disabledAt: null } });
    expect(await signInJira("carol", PASSWORDS.carol, null)).toMatchObject({ name: "carol", displayName: "Carol" });
  });

  it("says Jira is not answering on 5xx and on a timeout, and does not count a failed attempt", async () => {
    jira.setMode({ status5xx: 503 });
    expect(await refusal(signInJira("alice", PASSWORDS.alice, null))).toBe("jira_unavailable");
    expect(await refusal(signInJira("alice", PASSWORDS.alice, null))).toBe("jira_unavailable");
    expect(await refusal(signInJira("alice", PASSWORDS.alice, null))).toBe("jira_unavailable");
    jira.setMode({ delayMs: 1500 });
    expect(await refusal(signInJira("alice", PASSWORDS.alice, null))).toBe("jira_unavailable");
    expect(await db().signinAttempt.count({ where: { outcome: { in: ["failed", "pending"] } } })).toBe(0);
    jira.setMode({});
    expect((await signInJira("alice", PASSWORDS.alice, null)).name).toBe("alice");
  });

  it("tells the operator when Jira has basic authentication disabled", async () => {
    jira.setMode({ basicAuthDisabled: true });
    expect(await refusal(signInJira("alice", PASSWORDS.alice, null))).toBe("basic_auth_disabled");
    expect(written.join("")).toContain("Jira refuses basic authentication");
  });
});

describe("lockout protection", () => {
  it("lets no more than 2 failed attempts per username reach Jira under 20 concurrent tries", async () => {
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => signInJira("bob", "wrong-password", null)));
    const codes = results.map((r) => (r.status === "rejected" ? (r.reason as Error).message.split(":")[0] : "ok"));
    const reached = jira.requests.filter((r) => r.username === "bob");
    expect(reached).toHaveLength(2);
    expect(codes.filter((c) => c === "wrong_credentials")).toHaveLength(2);
    expect(codes.filter((c) => c === "user_locked")).toHaveLength(18);
    // Jira's own counter never reached its CAPTCHA threshold because of Berth.
    expect(jira.failedCount.get("bob")).toBe(2);
    // The refusal says how long to wait (the 15-minute window, less what has passed).
    const locked = results.find((r) => r.status === "rejected" && (r.reason as Error).message.startsWith("user_locked:"));
    const wait = Number((locked as PromiseRejectedResult).reason.message.split(":")[1]);
    expect(wait).toBeGreaterThan(800);
    expect(wait).toBeLessThanOrEqual(900);
  });

  it("even the right password is held back while locked, and allowed again once the window has passed", async () => {
    await refusal(signInJira("bob", "wrong-1", null));
    await refusal(signInJira("bob", "wrong-2", null));
    expect(await refusal(signInJira("bob", PASSWORDS.bob, null))).toMatch(/^user_locked:/);
    expect(jira.requests).toHaveLength(2);
    await db().$executeRawUnsafe(`UPDATE signin_attempts SET at = at - interval '16 minutes'`);
    expect((await signInJira("bob", PASSWORDS.bob, null)).name).toBe("bob");
  });

  it("a success resets the count, as Jira's does", async () => {
    await refusal(signInJira("alice", "wrong-1", null));
    await signInJira("alice", PASSWORDS.alice, null);
    await refusal(signInJira("alice", "wrong-2", null));
    expect(await refusal(signInJira("alice", "wrong-3", null))).toBe("wrong_credentials");
    expect(jira.requests).toHaveLength(4);
  });

  it("rate-limits attempts per client address, whatever the username", async () => {
    for (const name of ["u1", "u2", "u3", "u4", "u5"]) await refusal(signInJira(name, "x", "192.0.2.7"));
    const msg = await refusal(signInJira("alice", PASSWORDS.alice, "192.0.2.7"));
    expect(msg).toMatch(/^address_limited:\d+$/);
    expect(jira.requests).toHaveLength(5);
    // Another address is not affected.
    expect((await signInJira("alice", PASSWORDS.alice, "192.0.2.8")).name).toBe("alice");
  });

  it("counts only failures per address: a classroom behind one NAT never locks itself out", async () => {
    // 30 successful sign-ins from one address (six times the limit of 5 set above)…
    const people = ["alice", "Root", "bob"] as const;
    for (let i = 0; i < 30; i++) {
      const who = people[i % 3];
      expect((await signInJira(who, PASSWORDS[who === "Root" ? "root" : who], "198.51.100.9")).name).toBe(who.toLowerCase());
    }
    // …and a person who has not signed in yet still gets in from the same address.
    expect((await signInJira("carol", PASSWORDS.carol, "198.51.100.9")).name).toBe("carol");
    expect(jira.requests.filter((r) => r.result === "ok")).toHaveLength(31);
  });

  it("a classroom signing in at once behind one address all get in: tries still in flight are waited for, not refused", async () => {
    // 12 at the same moment from one address (the limit is 5), three people four times each (their
    // own limit is 2): each try counts against both limits until Jira has answered it.
    const people = ["alice", "Root", "bob"] as const;
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => {
        const who = people[i % 3];
        return signInJira(who, PASSWORDS[who === "Root" ? "root" : who], "198.51.100.20");
      }),
    );
    expect(results.map((u) => u.name).sort()).toEqual([...Array(4).fill("alice"), ...Array(4).fill("bob"), ...Array(4).fill("root")]);
    expect(jira.requests.filter((r) => r.result === "ok")).toHaveLength(12);
    expect(await db().signinAttempt.count({ where: { address: "198.51.100.20", outcome: { not: "success" } } })).toBe(0);
    // They got in by waiting for each other, not by luck of timing.
    expect(written.join("")).toMatch(/sign-in waits for tries in flight.*"address":"198\.51\.100\.20"/);
  });

  it("a try left unsettled by a process that ended mid-call stays a failure, and is not waited for", async () => {
    await db().signinAttempt.createMany({
      data: [0, 1].map(() => ({ username: "dave", address: null, outcome: "pending", at: new Date(Date.now() - 60_000) })),
    });
    const before = written.length;
    expect(await refusal(signInJira("dave", PASSWORDS.dave, null))).toMatch(/^user_locked:\d+$/);
    // Refused at once: nothing is waited for (a try lasts at most 3 s here, Jira's 1 s and 2 s).
    expect(written.slice(before).join("")).not.toContain("sign-in waits for tries in flight");
    expect(jira.requests).toHaveLength(0);
  });

  it("refuses an address after 5 failures, whatever successes came between, and says how long to wait", async () => {
    const addr = "198.51.100.10";
    for (const name of ["u1", "u2", "u3", "u4"]) await refusal(signInJira(name, "x", addr));
    expect((await signInJira("alice", PASSWORDS.alice, addr)).name).toBe("alice");
    await refusal(signInJira("u5", "x", addr));
    const msg = await refusal(signInJira("carol", PASSWORDS.carol, addr));
    expect(msg).toMatch(/^address_limited:\d+$/);
    const wait = Number(msg.split(":")[1]);
    expect(wait).toBeGreaterThan(800);
    expect(wait).toBeLessThanOrEqual(900);
    expect(signinMessage(msg, "jira").text).toBe("Too many sign-in attempts from your network address. Wait 15 minutes, then try again.");
    // Carol's password never reached Jira, and nothing was recorded as her failure.
    expect(jira.requests.filter((r) => r.username === "carol")).toHaveLength(0);
    expect(await db().signinAttempt.count({ where: { username: "carol" } })).toBe(0);
  });

  it("keeps its counters in the database, where every replica and a restarted Berth sees them", async () => {
    await refusal(signInJira("bob", "wrong-1", null));
    await refusal(signInJira("bob", "wrong-2", null));
    const rows = await db().signinAttempt.findMany({ where: { username: "bob" } });
    expect(rows.map((r) => r.outcome).sort()).toEqual(["failed", "failed"]);
  });
});

describe("secrets", () => {
  it("never writes a password to a log line or a database row", async () => {
    await signInJira("alice", PASSWORDS.alice, "10.1.1.1");
    await signInJira("Root", PASSWORDS.root, "10.1.1.1");
    await refusal(signInJira("bob", PASSWORDS.alice, "10.1.1.1"));
    const logs = written.join("");
    expect(logs.length).toBeGreaterThan(0);
    const tables = (await db().$queryRawUnsafe<{ tablename: string }[]>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)).map((t) => t.tablename);
    expect(tables).toContain("users");
    let dump = "";
    for (const t of tables) {
      const rows = await db().$queryRawUnsafe<{ j: string }[]>(`SELECT row_to_json(t)::text AS j FROM "${t}" t`);
      dump += rows.map((r) => r.j).join("\n");
    }
    expect(dump).toContain("alice");
    for (const pw of Object.values(PASSWORDS)) {
      expect(logs).not.toContain(pw);
      expect(dump).not.toContain(pw);
      expect(dump).not.toContain(Buffer.from(`alice:${pw}`).toString("base64"));
    }
  });
});
