-- Profiles for groups and profiles that stay put (issue 13, points 4 and 6).
-- A person's groups: Jira's, read at each sign-in, or a local account's, set by an administrator
-- (`berth user groups`, /admin). Profiles naming groups are offered only to their members.
ALTER TABLE "users" ADD COLUMN "groups" TEXT[] NOT NULL DEFAULT '{}';

-- What a server was created with, resolved (profile → chosen options): display name, CPU, memory,
-- storage, image, idle timeout and the choices made. Starts use it, so editing or removing the
-- profile later changes nothing for servers that exist. NULL for servers made before this
-- migration: they are recorded from the profiles file at their next start.
ALTER TABLE "servers" ADD COLUMN "profile_spec" JSONB;
