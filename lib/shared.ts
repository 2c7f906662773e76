// Next.js bundles lib/ into its own module graph, separate from the one server.ts loads, so a
// module-level singleton would exist twice in one process. State that both must see (database
// pool, running processes, proxy caches) lives on globalThis under a well-known symbol instead.
export function shared<T>(key: string, create: () => T): T {
  const sym = Symbol.for(`berth.${key}`);
  const g = globalThis as unknown as Record<symbol, T | undefined>;
  let value = g[sym];
  if (value === undefined) {
    value = create();
    g[sym] = value;
  }
  return value;
}

export function setShared<T>(key: string, value: T): void {
  (globalThis as unknown as Record<symbol, T>)[Symbol.for(`berth.${key}`)] = value;
}
