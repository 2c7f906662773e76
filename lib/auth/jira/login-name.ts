import { createHash } from "node:crypto";

// The name a Jira person has in Berth's URLs (/user/<name>/). Jira Server usernames are used
// as they are (lower-cased) when they fit; Cloud has no usernames, so the email's local part is
// used. Anything else gets a readable stem plus a short hash of the Jira id, so two people never
// share a name.
const FITS = /^[a-z0-9][a-z0-9._@+-]{0,63}$/;

export function loginName(login: string, externalId: string, deployment: "server" | "cloud"): string {
  const base = (deployment === "cloud" ? login.split("@")[0] : login).trim().toLowerCase();
  if (FITS.test(base)) return base;
  const stem = base.replace(/[^a-z0-9._-]+/g, "-").replace(/^[^a-z0-9]+/, "").slice(0, 40) || "user";
  return `${stem}-${createHash("sha256").update(externalId).digest("hex").slice(0, 6)}`;
}
