import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { config } from "../config";
import { shared } from "../shared";

// NEXTAUTH_SECRET when set (required with several replicas); otherwise one generated on first
// start and kept in the data folder, so sessions survive a restart of the embedded default.
export function authSecret(): string {
  return shared("authSecret", () => {
    const c = config();
    if (c.authSecret) return c.authSecret;
    const file = path.join(c.dataDir, "auth-secret");
    if (!existsSync(file)) {
      mkdirSync(c.dataDir, { recursive: true });
      writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600, flag: "wx" });
    }
    return readFileSync(file, "utf8").trim();
  });
}
