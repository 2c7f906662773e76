-- CreateEnum
CREATE TYPE "ServerState" AS ENUM ('stopped', 'starting', 'running', 'stopping', 'failed');

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "external_id" TEXT,
    "display_name" TEXT,
    "email" TEXT,
    "is_admin" BOOLEAN NOT NULL DEFAULT false,
    "password_hash" TEXT,
    "last_login_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "servers" (
    "id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "profile" TEXT NOT NULL,
    "image" TEXT,
    "launch_provider" TEXT,
    "launch_spec" TEXT,
    "launch_commit" TEXT,
    "launch_path" TEXT,
    "state" "ServerState" NOT NULL DEFAULT 'stopped',
    "state_reason" TEXT,
    "progress" TEXT,
    "token" TEXT NOT NULL,
    "upstream" TEXT,
    "runtime_ref" TEXT,
    "last_activity_at" TIMESTAMPTZ(3),
    "started_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "servers_pkey" PRIMARY KEY ("id"),
    -- The policy (lib/policy) may be configured stricter; this is the shape every layer relies on:
    -- the default server is "", a named one is lowercase letters, digits and single hyphens.
    CONSTRAINT "servers_name_shape" CHECK ("name" = '' OR ("name" ~ '^[a-z][a-z0-9]*(-[a-z0-9]+)*$' AND char_length("name") <= 63))
);

-- CreateTable
CREATE TABLE "events" (
    "id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_id" UUID,
    "actor_name" TEXT,
    "action" TEXT NOT NULL,
    "target_user" TEXT,
    "server_name" TEXT,
    "reason" TEXT,
    "details" JSONB,

    CONSTRAINT "events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "setup_tokens" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "token_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "setup_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_name_key" ON "users"("name");

-- CreateIndex
CREATE UNIQUE INDEX "users_external_id_key" ON "users"("external_id");

-- CreateIndex
CREATE UNIQUE INDEX "servers_owner_id_name_key" ON "servers"("owner_id", "name");

-- CreateIndex
CREATE INDEX "events_at_idx" ON "events"("at");

-- AddForeignKey
ALTER TABLE "servers" ADD CONSTRAINT "servers_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "events" ADD CONSTRAINT "events_actor_id_fkey" FOREIGN KEY ("actor_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
