import { db } from "../db/client";
import { shared } from "../shared";

// Per-request routing must not touch the database (DESIGN.md §2): a person's servers are loaded
// once and cached briefly, and every state change in this process drops the entry at once. The
// short lifetime bounds staleness for changes made by other replicas.

export interface Route {
  serverId: string;
  owner: string;
  name: string;
  state: "stopped" | "starting" | "running" | "stopping" | "deleting" | "failed";
  upstream: string | null;
  token: string;
}

interface Entry {
  at: number;
  servers: Map<string, Route> | null; // null: no such user
}

const TTL_MS = 5_000;
const cache = () => shared("routeCache", () => new Map<string, Entry>());
// One database read per user at a time: when an entry ends under load, the requests that find it
// gone wait for the same read instead of each making its own.
const loading = () => shared("routeLoads", () => new Map<string, Promise<Map<string, Route> | null>>());
const generations = () => shared("routeGenerations", () => ({ n: 0 }));

export function invalidateRoute(user: string, _name?: string): void {
  cache().delete(user);
  // A read already on its way may predate the change: it must not fill the cache, nor be shared.
  loading().delete(user);
  generations().n++;
}

/** userRoutes's answer when the cache holds it; undefined when it takes a database read. */
export function cachedUserRoutes(user: string): Map<string, Route> | null | undefined {
  const hit = cache().get(user);
  return hit && Date.now() - hit.at < TTL_MS ? hit.servers : undefined;
}

export function userRoutes(user: string): Promise<Map<string, Route> | null> {
  const hit = cache().get(user);
  if (hit && Date.now() - hit.at < TTL_MS) return Promise.resolve(hit.servers);
  const inflight = loading().get(user);
  if (inflight) return inflight;
  const generation = generations().n;
  const result = loadRoutes(user, generation).finally(() => {
    if (loading().get(user) === result) loading().delete(user);
  });
  loading().set(user, result);
  return result;
}

async function loadRoutes(user: string, generation: number): Promise<Map<string, Route> | null> {
  const at = Date.now();
  const owner = await db().user.findUnique({
    where: { name: user },
    select: { servers: { select: { id: true, name: true, state: true, upstream: true, token: true } } },
  });
  const servers = owner
    ? new Map(owner.servers.map((s) => [s.name, { serverId: s.id, owner: user, name: s.name, state: s.state, upstream: s.upstream, token: s.token }]))
    : null;
  // Not cached when a state change happened while reading: the next request reads again.
  if (generations().n === generation) cache().set(user, { at, servers });
  return servers;
}
