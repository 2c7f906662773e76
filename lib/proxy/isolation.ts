// Whether people's servers are served on origins of their own (per-user hosts,
// BERTH_USER_SERVERS_HOST). Only then is code in someone's server unable to act with a visitor's
// Berth session, and the warning administrators get before opening someone else's server
// (admin-ack.ts) is unnecessary.
// TODO(merge): return whether per-user hosts are configured once that option exists
// (config().userServersHost or its equivalent); until then servers always share Berth's origin.
export function userServersIsolated(): boolean {
  return false;
}
