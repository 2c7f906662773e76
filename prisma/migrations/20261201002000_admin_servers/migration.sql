-- The console's Servers tab sorts everyone's servers by last activity and by start time, most
-- recent first, with servers never used (NULL) last; going up, NULL counts as the oldest and comes
-- first. One index per column serves both directions (read backwards for "most recent first") and
-- ends in the id, the sort's tie-break, so a page is read off the index instead of sorting 60,000
-- rows. (Prisma's schema cannot say NULLS FIRST; these live in SQL only, like the partial indexes.)
CREATE INDEX "servers_last_activity_at_nulls_first_id_idx" ON "servers"("last_activity_at" ASC NULLS FIRST, "id");
CREATE INDEX "servers_started_at_nulls_first_id_idx" ON "servers"("started_at" ASC NULLS FIRST, "id");
