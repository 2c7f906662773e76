-- CreateEnum
CREATE TYPE "BuildState" AS ENUM ('queued', 'building', 'built', 'failed');

-- CreateTable
CREATE TABLE "builds" (
    "id" UUID NOT NULL,
    "image_name" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "repo" TEXT NOT NULL,
    "commit" TEXT NOT NULL,
    "runtime" TEXT NOT NULL,
    "state" "BuildState" NOT NULL DEFAULT 'queued',
    "message" TEXT,
    "log" TEXT NOT NULL DEFAULT '',
    "requested_by" TEXT,
    "heartbeat_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "builds_pkey" PRIMARY KEY ("id")
);

-- At most one active build per image name (DESIGN.md §3): a second launch of the same commit
-- finds the row and attaches instead of queueing another build.
CREATE UNIQUE INDEX "builds_one_active_per_image" ON "builds"("image_name") WHERE "state" IN ('queued', 'building');

-- CreateIndex
CREATE INDEX "builds_state_created_at_idx" ON "builds"("state", "created_at");

-- CreateIndex
CREATE INDEX "builds_image_name_idx" ON "builds"("image_name");
