-- Operators' console and API tokens (issue 10).

-- A disabled user keeps their servers' storage but cannot sign in; their sessions and tokens stop working.
ALTER TABLE "users" ADD COLUMN "disabled_at" TIMESTAMPTZ(3);

-- Personal API tokens: only a SHA-256 of the token is kept (tokens are 256 random bits, so a
-- fast hash is enough); `prefix` is the token's first characters, shown to tell tokens apart.
CREATE TABLE "api_tokens" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "prefix" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "note" TEXT NOT NULL DEFAULT '',
    "scopes" TEXT[] NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),
    "created_by" TEXT,

    CONSTRAINT "api_tokens_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "api_tokens_hash_key" ON "api_tokens"("hash");
CREATE INDEX "api_tokens_user_id_idx" ON "api_tokens"("user_id");
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The console filters the audit trail by actor, target and action, newest first.
CREATE INDEX "events_actor_name_at_idx" ON "events"("actor_name", "at");
CREATE INDEX "events_target_user_at_idx" ON "events"("target_user", "at");
CREATE INDEX "events_action_at_idx" ON "events"("action", "at");

-- The console lists every server by state and by activity.
CREATE INDEX "servers_state_idx" ON "servers"("state");
CREATE INDEX "servers_last_activity_at_idx" ON "servers"("last_activity_at");
