import { config } from "../config";

// Whether people's servers are served on origins of their own (per-user hosts,
// BERTH_USER_SERVERS_HOST). Only then is code in someone's server unable to act with a visitor's
// Berth session, and the warning administrators get before opening someone else's server
// (admin-ack.ts) is unnecessary.
export function userServersIsolated(): boolean {
  return Boolean(config().userServersHost);
}
