import type { Scope } from "./scopes";

/** Who is asking: the signed-in person, a person's API token, or the system (culler, reconciler). */
export interface Actor {
  id: string | null;
  name: string;
  isAdmin: boolean;
  /** What this request may do (lib/auth/request-actor.ts); absent: everything the person may. */
  scopes?: ReadonlySet<Scope>;
  /** Set when an API token made the request, so the audit trail can say so (never the secret). */
  token?: { id: string; prefix: string };
}

export const SYSTEM: Actor = { id: null, name: "berth", isAdmin: true };
