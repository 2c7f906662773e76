import { isScope, SCOPES } from "../auth/scopes";
import { AppError } from "../errors";
import { SYSTEM } from "../auth/actor";
import { parseDuration } from "../tokens/duration";
import { createToken, listAllTokens, listTokens, revokeToken, type TokenInfo } from "../tokens/tokens";
import { withDatabase } from "./database";
import type { CommandGroup } from "./main";

export const tokenUsage = `  token create <user> [--note <text>] [--expires-in <30d|12h|…>] [--scopes <a,b>]
      Creates an API token for the user and prints it once. Scopes: ${SCOPES.join(", ")}
      (admin:* only for administrators); without --scopes, all the user may hold. Without
      --expires-in, the longest BERTH_TOKEN_MAX_AGE_SECONDS allows.
  token list [<user>]
      Lists the user's tokens (everyone's without a user): id, prefix, note, scopes, dates.
  token revoke <user> <id>
      Revokes one token; it stops working at once.
`;

/** Splits `--name value` options from positional arguments; refuses options it does not know. */
function parseArgs(rest: string[], known: string[]): { args: string[]; opts: Record<string, string> } {
  const args: string[] = [];
  const opts: Record<string, string> = {};
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (!a.startsWith("--")) {
      args.push(a);
      continue;
    }
    const [name, inline] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    if (!known.includes(name)) throw new AppError("invalid_input", `Unknown option ${name}.`);
    const value = inline ?? rest[++i];
    if (value === undefined) throw new AppError("invalid_input", `${name} needs a value.`);
    opts[name] = value;
  }
  return { args, opts };
}

function row(t: TokenInfo): string {
  const expires = t.expiresAt ? `${t.expired ? "expired" : "expires"} ${t.expiresAt}` : "never expires";
  return `${t.id}  ${t.user}  ${t.prefix}…  [${t.scopes.join(",") || "no scopes"}]  created ${t.createdAt}  ${expires}  last used ${t.lastUsedAt ?? "never"}${t.note ? `  "${t.note}"` : ""}\n`;
}

export const tokenCommands: CommandGroup = {
  usage: tokenUsage,
  async run(command, rest, usage) {
    if (command !== "create" && command !== "list" && command !== "revoke") return undefined;
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs(rest, command === "create" ? ["--note", "--expires-in", "--scopes"] : []);
    } catch (err) {
      process.stderr.write(`${(err as Error).message}\n${usage}`);
      return 2;
    }
    const { args, opts } = parsed;
    const want = command === "create" ? [1] : command === "list" ? [0, 1] : [2];
    if (!want.includes(args.length)) {
      process.stderr.write(`${command === "revoke" ? "Give the user's name and the token's id." : command === "create" ? "Give one user's name." : "Give at most one user's name."}\n${usage}`);
      return 2;
    }
    if (command === "create") {
      const scopes = opts["--scopes"]?.split(",").map((s) => s.trim()).filter(Boolean);
      const unknown = scopes?.filter((s) => !isScope(s)) ?? [];
      if (unknown.length) {
        process.stderr.write(`Unknown scope ${unknown.join(", ")}. Choose from: ${SCOPES.join(", ")}.\n`);
        return 2;
      }
      const expiresInSeconds = opts["--expires-in"] !== undefined ? parseDuration(opts["--expires-in"]) : undefined;
      const { token, info } = await withDatabase(() => createToken(SYSTEM, args[0], { note: opts["--note"], expiresInSeconds, scopes }));
      process.stdout.write(`Created a token for "${info.user}" (id ${info.id}; scopes ${info.scopes.join(", ") || "none"}; ${info.expiresAt ? `expires ${info.expiresAt}` : "never expires"}).\n`);
      process.stdout.write(`Token (shown once; store it safely, it cannot be shown again): ${token}\n`);
      return 0;
    }
    if (command === "list") {
      const tokens = await withDatabase(async () => {
        if (args[0] !== undefined) return listTokens(SYSTEM, args[0]);
        const all: TokenInfo[] = [];
        // Everyone's, a page at a time (the store never loads them all at once).
        for (let offset = 0; ; offset += 200) {
          const page = await listAllTokens(SYSTEM, { offset, limit: 200 });
          all.push(...page.items);
          if (page.items.length < 200) return all;
        }
      });
      if (tokens.length === 0) process.stdout.write(args[0] !== undefined ? `"${args[0]}" has no tokens.\n` : "No one has a token.\n");
      for (const t of tokens) process.stdout.write(row(t));
      return 0;
    }
    await withDatabase(() => revokeToken(SYSTEM, args[0], args[1]));
    process.stdout.write(`Revoked token ${args[1]} of "${args[0]}"; it no longer works.\n`);
    return 0;
  },
};
