// Transactions that queue on a row lock (one person's concurrent creates) wait their turn rather
// than fail: Prisma's defaults (2 s to get a connection, 5 s to finish) are too short under load.
export const SERIALISED_TX = { maxWait: 30_000, timeout: 30_000 } as const;

/** Prisma's "could not start or finish the transaction in time": the database is busy. */
export function isTransactionTimeout(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === "P2028" || code === "P2034";
}
