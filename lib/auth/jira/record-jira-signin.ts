import { randomUUID } from "node:crypto";
import type { User } from "../../generated/prisma/client";
import { db } from "../../db/client";

// A returning Jira person's sign-in written in one statement: the attempt settled as a success,
// the user row refreshed from Jira's answer, the audit event, and (when the caller is about to
// issue a cookie) the server-side session row the cookie will name. Only an enabled user found by
// their Jira id takes this path; anyone else (first sign-in, disabled account, a name to claim)
// gets null and goes through the careful transaction in sign-in-jira.ts, which still sees the
// attempt settled here.

export interface SessionRequest {
  userAgent: string | null;
  address: string | null;
  expiresAt: Date;
}

interface Row {
  id: string;
  name: string;
  external_id: string | null;
  display_name: string | null;
  email: string | null;
  is_admin: boolean;
  password_hash: string | null;
  last_login_at: Date | null;
  disabled_at: Date | null;
  groups: string[];
  created_at: Date;
  updated_at: Date;
}

export async function recordReturningSignin(input: {
  attemptId: bigint;
  externalId: string;
  data: { displayName: string | null; email: string | null; isAdmin: boolean; groups: string[]; lastLoginAt: Date };
  event: Record<string, unknown>;
  session?: SessionRequest;
}): Promise<{ user: User; sid: string | null } | null> {
  const { data, session } = input;
  const sid = session ? randomUUID() : null;
  const rows = await db().$queryRaw<Row[]>`
    WITH settled AS (
      UPDATE signin_attempts SET outcome = 'success' WHERE id = ${input.attemptId}
    ), u AS (
      UPDATE users SET display_name = ${data.displayName}, email = ${data.email}, is_admin = ${data.isAdmin}, groups = ${data.groups}::text[],
             last_login_at = ${data.lastLoginAt}, updated_at = ${data.lastLoginAt}
      WHERE external_id = ${input.externalId} AND disabled_at IS NULL
      RETURNING id, name, external_id, display_name, email, is_admin, password_hash, last_login_at, disabled_at, groups, created_at, updated_at
    ), ev AS (
      INSERT INTO events (id, at, actor_id, actor_name, action, target_user, details)
      SELECT ${randomUUID()}::uuid, ${data.lastLoginAt}, u.id, u.name, 'signin', u.name, ${JSON.stringify(input.event)}::jsonb FROM u
    ), s AS (
      INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, user_agent, address)
      SELECT ${sid}::uuid, u.id, ${data.lastLoginAt}, ${data.lastLoginAt}, ${session?.expiresAt ?? null}, ${session?.userAgent?.slice(0, 400) ?? null}, ${session?.address?.slice(0, 100) ?? null}
      FROM u WHERE ${sid}::uuid IS NOT NULL
    )
    SELECT * FROM u`;
  const r = rows[0];
  if (!r) return null;
  const user: User = {
    id: r.id,
    name: r.name,
    externalId: r.external_id,
    displayName: r.display_name,
    email: r.email,
    isAdmin: r.is_admin,
    passwordHash: r.password_hash,
    lastLoginAt: r.last_login_at,
    disabledAt: r.disabled_at,
    groups: r.groups,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
  return { user, sid };
}
