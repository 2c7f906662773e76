import { addUser } from "../auth/add-user";
import { randomPassword } from "../auth/password";
import { removeUser } from "../auth/remove-user";
import { setAdmin } from "../auth/set-admin";
import { signOutEverywhere } from "../auth/sign-out-everywhere";
import { SYSTEM } from "../servers/types";
import { readStdin, withDatabase } from "./database";
import type { CommandGroup } from "./main";

export const userUsage = `  user add <name> [--admin] [--password-stdin]
      Adds a local account. Without --password-stdin a strong password is generated and
      printed once; with it, the password is read from standard input.
  user signout <name>
      Ends every session of the user, on every browser and device; their cookies stop
      working on every Berth replica within BERTH_SESSION_CHECK_SECONDS.
  user admin <name> --on|--off
      Grants or withdraws administrator rights; takes effect within BERTH_SESSION_CHECK_SECONDS
      without signing them out. (A Jira account's next sign-in sets it from Jira's groups.)
  user remove <name>
      Removes the user, their sessions, and their servers with their storage. Refused while
      any of their servers is running: stop those first.
`;

export const userCommands: CommandGroup = {
  usage: userUsage,
  async run(command, rest, usage) {
    if (command === "add") {
      const name = rest.find((a) => !a.startsWith("--"));
      const unknown = rest.filter((a) => a.startsWith("--") && a !== "--admin" && a !== "--password-stdin");
      if (!name || unknown.length) {
        process.stderr.write(`${unknown.length ? `Unknown option ${unknown.join(", ")}.\n` : "Give the new user's name.\n"}${usage}`);
        return 2;
      }
      const fromStdin = rest.includes("--password-stdin");
      const password = fromStdin ? await readStdin() : randomPassword();
      const user = await withDatabase(() => addUser({ name, password, isAdmin: rest.includes("--admin") }));
      process.stdout.write(`Added ${user.isAdmin ? "administrator" : "user"} "${user.name}".\n`);
      if (!fromStdin) process.stdout.write(`Password (shown once; pass it on privately): ${password}\n`);
      return 0;
    }
    if (command === "signout" || command === "remove" || command === "admin") {
      const names = rest.filter((a) => !a.startsWith("--"));
      const flags = rest.filter((a) => a.startsWith("--"));
      const allowed = command === "admin" ? ["--on", "--off"] : [];
      const unknown = flags.filter((f) => !allowed.includes(f));
      const problem =
        names.length !== 1 ? "Give one user's name."
        : unknown.length ? `Unknown option ${unknown.join(", ")}.`
        : command === "admin" && flags.length !== 1 ? "Say --on (make them an administrator) or --off (withdraw it)."
        : null;
      if (problem) {
        process.stderr.write(`${problem}\n${usage}`);
        return 2;
      }
      const name = names[0];
      if (command === "signout") {
        const r = await withDatabase(() => signOutEverywhere(SYSTEM, name));
        process.stdout.write(`Signed "${r.user}" out everywhere (${r.sessionsEnded} active session${r.sessionsEnded === 1 ? "" : "s"} ended).\n`);
      } else if (command === "admin") {
        const r = await withDatabase(() => setAdmin(name, flags[0] === "--on"));
        const what = r.isAdmin ? "an administrator" : "not an administrator";
        process.stdout.write(r.changed ? `"${r.name}" is now ${what}.\n` : `"${r.name}" was already ${what}; nothing changed.\n`);
        if (r.changed && r.jira) process.stdout.write("This is a Jira account: its next sign-in sets administrator rights from Jira's groups again (JIRA_ADMIN_GROUPS).\n");
      } else {
        const r = await withDatabase(() => removeUser(name));
        process.stdout.write(`Removed "${r.name}"${r.servers.length ? ` and their servers (${r.servers.join(", ")})` : ""}; their sessions have ended.\n`);
        for (const l of r.storageLeft) process.stdout.write(`Storage of ${l.server} was not removed here: ${l.reason}.\n`);
      }
      return 0;
    }
    return undefined;
  },
};
