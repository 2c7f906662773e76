import { addUser } from "../auth/add-user";
import { randomPassword } from "../auth/password";
import { removeUser } from "../users/remove-user";
import { setAdmin } from "../auth/set-admin";
import { signOutEverywhere } from "../auth/sign-out-everywhere";
import { SYSTEM } from "../auth/actor";
import { deleteUser } from "../users/delete-user";
import { disableUser, enableUser } from "../users/disable-user";
import { listUsers, type UserRow } from "../users/list-users";
import { resetPassword } from "../users/reset-password";
import { setUserGroups } from "../users/set-user-groups";
import { findUser } from "../users/find-user";
import { USERS_PAGE_SIZE, usersQuerySchema } from "../users/users-query";
import { readStdin, withDatabase } from "./database";
import type { CommandGroup } from "./main";

export const userUsage = `  user list [--search <text>] [--sort name|lastLogin|running|created] [--desc] [--page <n>] [--json]
      Lists users ${USERS_PAGE_SIZE} at a time: name, admin, Jira or local, disabled, last sign-in, servers
      running / total. --search matches name, display name and email.
  user add <name> [--admin] [--password-stdin]
      Adds a local account. Without --password-stdin a strong password is generated and
      printed once; with it, the password is read from standard input.
  user reset-password <name> [--password-stdin]
      Gives a local account a new password (generated and printed once, or read from standard
      input) and ends all of their sessions.
  user admin <name> --on|--off
      Grants or withdraws administrator rights; takes effect within BERTH_SESSION_CHECK_SECONDS
      without signing them out. (A Jira account's next sign-in sets it from Jira's groups.)
  user groups <name> [--set a,b | --add <group> | --remove <group> | --clear]
      Shows a local account's groups, or sets them (comma-separated). Profiles naming groups are
      offered only to their members. A Jira account's groups come from Jira at each sign-in.
  user disable <name>
      The user can no longer sign in; their sessions end, their API tokens stop working and their
      running servers stop. Their servers' storage is kept.
  user enable <name>
      Lets a disabled user sign in again.
  user signout <name>
      Ends every session of the user, on every browser and device; their cookies stop
      working on every Berth replica within BERTH_SESSION_CHECK_SECONDS.
  user remove <name> [--stop-servers]
      Removes the user, their sessions and tokens, and their servers with their storage. Refused
      while any of their servers is running, unless --stop-servers (stop them first).
`;

/** Splits `rest` into names and options; options listed in `valued` take the next word. */
function parse(rest: string[], flags: string[], valued: string[] = []) {
  const names: string[] = [];
  const opts = new Map<string, string | true>();
  const unknown: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (!a.startsWith("--")) names.push(a);
    else if (valued.includes(a)) opts.set(a, rest[++i] ?? "");
    else if (flags.includes(a)) opts.set(a, true);
    else unknown.push(a);
  }
  return { names, opts, unknown };
}

function table(rows: UserRow[]): string {
  const head = ["NAME", "ADMIN", "SOURCE", "DISABLED", "LAST SIGN-IN", "RUNNING/TOTAL", "DISPLAY NAME"];
  const body = rows.map((u) => [u.name, u.isAdmin ? "yes" : "", u.source, u.disabledAt ? "yes" : "", u.lastLoginAt?.slice(0, 16).replace("T", " ") ?? "never", `${u.running}/${u.servers}`, u.displayName ?? ""]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  return [head, ...body].map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n") + "\n";
}

export const userCommands: CommandGroup = {
  usage: userUsage,
  async run(command, rest, usage) {
    const fail = (problem: string) => {
      process.stderr.write(`${problem}\n${usage}`);
      return 2;
    };
    if (command === "list") {
      const { names, opts, unknown } = parse(rest, ["--json", "--desc"], ["--search", "--sort", "--page"]);
      if (names.length || unknown.length) return fail(unknown.length ? `Unknown option ${unknown.join(", ")}.` : `Unexpected "${names.join(" ")}": use --search <text>.`);
      const q = usersQuerySchema.safeParse({ q: opts.get("--search") || undefined, sort: opts.get("--sort") || undefined, dir: opts.has("--desc") ? "desc" : opts.has("--sort") ? "asc" : undefined, page: opts.get("--page") || undefined });
      if (!q.success) return fail(`Not a valid list: ${q.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}.`);
      const page = await withDatabase(() => listUsers(SYSTEM, q.data));
      if (opts.has("--json")) process.stdout.write(`${JSON.stringify(page, null, 2)}\n`);
      else {
        process.stdout.write(page.users.length ? table(page.users) : "No users match.\n");
        process.stdout.write(`Page ${page.query.page} of ${page.pages} (${page.total} user${page.total === 1 ? "" : "s"}${page.query.q ? ` matching "${page.query.q}"` : ""}).\n`);
      }
      return 0;
    }
    if (command === "add") {
      const { names, opts, unknown } = parse(rest, ["--admin", "--password-stdin"]);
      if (names.length !== 1 || unknown.length) return fail(unknown.length ? `Unknown option ${unknown.join(", ")}.` : "Give the new user's name.");
      const fromStdin = opts.has("--password-stdin");
      const password = fromStdin ? await readStdin() : randomPassword();
      const user = await withDatabase(() => addUser({ name: names[0], password, isAdmin: opts.has("--admin") }));
      process.stdout.write(`Added ${user.isAdmin ? "administrator" : "user"} "${user.name}".\n`);
      if (!fromStdin) process.stdout.write(`Password (shown once; pass it on privately): ${password}\n`);
      return 0;
    }
    if (command === "groups") return groupsCommand(rest, fail);
    const known = ["signout", "remove", "admin", "reset-password", "disable", "enable"];
    if (command === undefined || !known.includes(command)) return undefined;
    const allowed = command === "admin" ? ["--on", "--off"] : command === "reset-password" ? ["--password-stdin"] : command === "remove" ? ["--stop-servers"] : [];
    const { names, opts, unknown } = parse(rest, allowed);
    const problem =
      names.length !== 1 ? "Give one user's name."
      : unknown.length ? `Unknown option ${unknown.join(", ")}.`
      : command === "admin" && opts.size !== 1 ? "Say --on (make them an administrator) or --off (withdraw it)."
      : null;
    if (problem) return fail(problem);
    const name = names[0];
    if (command === "signout") {
      const r = await withDatabase(() => signOutEverywhere(SYSTEM, name));
      process.stdout.write(`Signed "${r.user}" out everywhere (${r.sessionsEnded} active session${r.sessionsEnded === 1 ? "" : "s"} ended).\n`);
    } else if (command === "admin") {
      const r = await withDatabase(() => setAdmin(name, opts.has("--on")));
      const what = r.isAdmin ? "an administrator" : "not an administrator";
      process.stdout.write(r.changed ? `"${r.name}" is now ${what}.\n` : `"${r.name}" was already ${what}; nothing changed.\n`);
      if (r.changed && r.jira) process.stdout.write("This is a Jira account: its next sign-in sets administrator rights from Jira's groups again (JIRA_ADMIN_GROUPS).\n");
    } else if (command === "reset-password") {
      const given = opts.has("--password-stdin") ? await readStdin() : undefined;
      const r = await withDatabase(() => resetPassword(SYSTEM, name, given));
      process.stdout.write(`New password set for "${r.name}"; ${r.sessionsEnded} active session${r.sessionsEnded === 1 ? "" : "s"} ended.\n`);
      if (r.password) process.stdout.write(`Password (shown once; pass it on privately): ${r.password}\n`);
    } else if (command === "disable") {
      const r = await withDatabase(() => disableUser(SYSTEM, name, { wait: true }));
      process.stdout.write(r.changed ? `Disabled "${r.name}": they cannot sign in, ${r.sessionsEnded} session${r.sessionsEnded === 1 ? "" : "s"} ended, their tokens stop working.\n` : `"${r.name}" was already disabled.\n`);
      if (r.serversStopped.length) process.stdout.write(`Stopped their servers (storage kept): ${r.serversStopped.join(", ")}.\n`);
      for (const f of r.failed) process.stdout.write(`Could not stop ${f.server}: ${f.reason}\n`);
      if (r.failed.length) return 1;
    } else if (command === "enable") {
      const r = await withDatabase(() => enableUser(SYSTEM, name));
      process.stdout.write(r.changed ? `Enabled "${r.name}": they can sign in again.\n` : `"${r.name}" was not disabled; nothing changed.\n`);
    } else {
      const r: Awaited<ReturnType<typeof deleteUser>> = await withDatabase(async () => (opts.has("--stop-servers") ? deleteUser(SYSTEM, name) : { ...(await removeUser(name)), stopped: [] }));
      if (r.stopped.length) process.stdout.write(`Stopped ${r.stopped.join(", ")}.\n`);
      process.stdout.write(`Removed "${r.name}"${r.servers.length ? ` and their servers (${r.servers.join(", ")})` : ""}; their sessions have ended.\n`);
      for (const l of r.storageLeft) process.stdout.write(`Storage of ${l.server} was not removed here: ${l.reason}.\n`);
    }
    return 0;
  },
};

async function groupsCommand(rest: string[], fail: (problem: string) => number): Promise<number> {
  const { names, opts, unknown } = parse(rest, ["--clear"], ["--set", "--add", "--remove"]);
  if (names.length !== 1) return fail("Give one user's name.");
  if (unknown.length) return fail(`Unknown option ${unknown.join(", ")}.`);
  if (opts.size > 1) return fail("Give one of --set, --add, --remove or --clear.");
  const name = names[0];
  const list = (v: string | true | undefined) => (typeof v === "string" ? v.split(",").map((g) => g.trim()).filter(Boolean) : []);
  const r = await withDatabase(async () => {
    const user = await findUser(name);
    if (opts.size === 0) return { name: user.name, groups: user.groups, changed: false, shown: true, jira: user.externalId !== null };
    const next = opts.has("--clear")
      ? []
      : opts.has("--set")
        ? list(opts.get("--set"))
        : opts.has("--add")
          ? [...user.groups, ...list(opts.get("--add"))]
          : user.groups.filter((g) => !list(opts.get("--remove")).includes(g));
    return { ...(await setUserGroups(SYSTEM, name, next)), shown: false, jira: false };
  });
  const text = r.groups.length ? r.groups.join(", ") : "no groups";
  if (r.shown) process.stdout.write(`"${r.name}" is in ${text}${r.jira ? " (from Jira, as of their last sign-in)" : ""}.\n`);
  else process.stdout.write(r.changed ? `"${r.name}" is now in ${text}.\n` : `"${r.name}" was already in ${text}; nothing changed.\n`);
  return 0;
}
