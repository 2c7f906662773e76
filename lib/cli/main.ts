import { AppError } from "../errors";
import { serverCommands } from "./server-commands";
import { tokenCommands } from "./token-commands";
import { userCommands } from "./user-commands";

/** One group of CLI commands (`berth <group> <command> …`). */
export interface CommandGroup {
  /** Its lines of the usage text. */
  usage: string;
  /** Runs `command`; returns the exit code, or undefined when the group has no such command. */
  run(command: string | undefined, rest: string[], usage: string): Promise<number | undefined>;
}

// One line per group; each lives in its own file (lib/cli/<group>-commands.ts).
const GROUPS: Record<string, CommandGroup> = {
  user: userCommands,
  server: serverCommands,
  token: tokenCommands,
};

function usage(): string {
  return `Usage: npm run berth -- <command>\n\nCommands:\n${Object.values(GROUPS).map((g) => g.usage).join("")}`;
}

export async function run(argv: string[]): Promise<number> {
  const [group, command, ...rest] = argv;
  const g = group !== undefined ? GROUPS[group] : undefined;
  const code = g && Object.hasOwn(GROUPS, group) ? await g.run(command, rest, usage()) : undefined;
  if (code !== undefined) return code;
  process.stderr.write(argv.length ? `Unknown command "${argv.join(" ")}".\n${usage()}` : usage());
  return argv.length ? 2 : 0;
}

// Run when executed directly (not when imported by a test).
if (process.argv[1] && /lib[\\/]cli[\\/]main\.ts$/.test(process.argv[1])) {
  run(process.argv.slice(2))
    .then((code) => process.exit(code))
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof AppError ? err.message : `Failed: ${(err as Error).message}`}\n`);
      process.exit(1);
    });
}
