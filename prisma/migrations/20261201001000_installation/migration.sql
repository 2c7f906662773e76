-- Which Berth a database belongs to. Berth records this id, with where it runs, when it starts
-- (lib/db/installation.ts); the CLI compares it before changing anything, so a command run with
-- other settings than the running Berth's is refused instead of creating a second database.
CREATE TABLE "installation" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "installation_id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "installation_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "installation_one_row" CHECK ("id" = 1)
);

INSERT INTO "installation" DEFAULT VALUES;

-- The console's Users tab sorts by sign-in and creation time (lib/users/list-users.ts).
CREATE INDEX "users_last_login_at_idx" ON "users"("last_login_at");
CREATE INDEX "users_created_at_idx" ON "users"("created_at");
