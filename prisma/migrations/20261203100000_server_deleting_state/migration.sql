-- "deleting" becomes a state of its own: until now a delete marked the server "stopping" with the
-- progress text "Deleting", which the reconciler had to parse. The type is recreated rather than
-- extended (ALTER TYPE … ADD VALUE cannot be used in the transaction that adds it), and deletes
-- in flight keep their meaning.
ALTER TYPE "ServerState" RENAME TO "ServerState_old";
CREATE TYPE "ServerState" AS ENUM ('stopped', 'starting', 'running', 'stopping', 'deleting', 'failed');
ALTER TABLE "servers" ALTER COLUMN "state" DROP DEFAULT;
ALTER TABLE "servers" ALTER COLUMN "state" TYPE "ServerState"
  USING (CASE WHEN "state" = 'stopping' AND "progress" = 'Deleting' THEN 'deleting' ELSE "state"::text END)::"ServerState";
ALTER TABLE "servers" ALTER COLUMN "state" SET DEFAULT 'stopped';
DROP TYPE "ServerState_old";
