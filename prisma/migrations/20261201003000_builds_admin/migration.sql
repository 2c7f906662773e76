-- Operators' console, Builds tab (issue 10). An administrator's cancel is written here, not sent to
-- a process: the build may run on another replica, which sees the request at its next heartbeat
-- and stops the build (a local builder's processes, or the Kubernetes Job).
ALTER TABLE "builds" ADD COLUMN "cancel_requested_at" TIMESTAMPTZ(3);
ALTER TABLE "builds" ADD COLUMN "cancelled_by" TEXT;
-- A rebuild an administrator asked for: built again although the image existed.
ALTER TABLE "builds" ADD COLUMN "rebuild" BOOLEAN NOT NULL DEFAULT false;

-- History: newest first, keyset on (created_at, id), optionally per repository.
CREATE INDEX "builds_created_at_id_idx" ON "builds"("created_at", "id");
CREATE INDEX "builds_repo_created_at_idx" ON "builds"("repo", "created_at");

-- Per-repository launch counts and cache hits come from the `launch` events.
CREATE INDEX "events_launch_repo_idx" ON "events"((details->>'provider'), (details->>'repo')) WHERE action = 'launch';
-- The audit table's keyset order.
CREATE INDEX "events_at_id_idx" ON "events"("at", "id");
