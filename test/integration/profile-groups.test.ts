import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startJiraDouble, type JiraUser } from "../doubles/jira";
import { writeProfilesFile } from "../helpers/profiles-file";
import { imageOption, ML_TEAM } from "../shared/profile-fixtures";

// Issue 13 point 4 on the local runtime: profiles for groups (Jira groups read at each sign-in,
// a local account's set by an administrator), only allowed profiles offered, a clear 403 for a
// forbidden one on every way in (service, app API, hub API), administrators may use every
// profile, and a profile's choices resolved base → profile → choice and used by a real start.

const { dir } = writeProfilesFile("berth-profile-groups-", [
      { slug: "standard", displayName: "Standard", default: true },
      {
        slug: "gpu",
        displayName: "GPU",
        description: "For training",
        cpu: "2",
        memory: "1Gi",
        groups: ML_TEAM,
        options: { image: imageOption({ overrides: { image: "example.org/py311:1", memory: "1536Mi" } }) },
      },
      { slug: "staff", displayName: "Staff", groups: ["staff"] },
    ]);

const PASSWORDS = { jill: "jill-Jira-pw-1", kim: "kim-Jira-pw-2" };
const jillUser: JiraUser = { name: "jill", key: "JIRAUSER20001", password: PASSWORDS.jill, email: "jill@example.org", displayName: "Jill", groups: ["jira-software-users", "ml-team"] };
const kimUser: JiraUser = { name: "kim", key: "JIRAUSER20002", password: PASSWORDS.kim, email: "kim@example.org", displayName: "Kim", groups: ["jira-software-users"] };
const jira = await startJiraDouble({ users: [jillUser, kimUser] });
process.env.JIRA_URL = jira.url;
// Local accounts alongside Jira, as an operator may keep both.
process.env.BERTH_LOCAL_ACCOUNTS = "true";

const { db } = await import("../../lib/db/client");
const { signInJira } = await import("../../lib/auth/jira/sign-in-jira");
const { createServer } = await import("../../lib/servers/create-server");
const { listServers } = await import("../../lib/servers/list-servers");
const { startServer } = await import("../../lib/servers/start-server");
const { stopServer } = await import("../../lib/servers/stop-server");
const { getHubUser } = await import("../../lib/hub-api/list-hub-users");
const { setUserGroups } = await import("../../lib/users/set-user-groups");
const { describeUser } = await import("../../lib/users/describe-user");
const { createToken } = await import("../../lib/tokens/tokens");
const { runtime } = await import("../../lib/runtime");
const { POST: postServers } = await import("../../app/api/users/[user]/servers/route");
const { POST: postHubNamed } = await import("../../app/hub/api/users/[user]/servers/[server]/route");
const { PUT: putGroups } = await import("../../app/api/admin/users/[user]/groups/route");
const { expectAppError, makeUser, waitForState } = await import("../helpers");

type Actor = import("../../lib/auth/actor").Actor;
const actorOf = (u: { id: string; name: string; isAdmin: boolean }): Actor => ({ id: u.id, name: u.name, isAdmin: u.isAdmin });

async function call(handler: (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>, params: Record<string, string>, url: string, token: string, body: unknown, method = "POST") {
  const res = await handler(new Request(`http://berth.test${url}`, { method, headers: { authorization: `token ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) }), { params: Promise.resolve(params) });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

let admin: Actor;
beforeAll(async () => {
  admin = await makeUser("groups-admin", true);
});

afterAll(async () => {
  await runtime().shutdown();
  await jira.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("profiles for groups", () => {
  it("reads Jira groups at each sign-in and offers, refuses and allows profiles by them", async () => {
    const jill = await signInJira("jill", PASSWORDS.jill, null);
    const kim = await signInJira("kim", PASSWORDS.kim, null);
    expect(jill.groups).toEqual(["jira-software-users", "ml-team"]);
    expect((await db().user.findUniqueOrThrow({ where: { id: kim.id } })).groups).toEqual(["jira-software-users"]);

    // Offered: only what each may use; an administrator, everything.
    expect((await listServers(actorOf(jill), "jill")).profiles.map((p) => p.slug)).toEqual(["standard", "gpu"]);
    expect((await listServers(actorOf(kim), "kim")).profiles.map((p) => p.slug)).toEqual(["standard"]);
    expect((await listServers(admin, admin.name)).profiles.map((p) => p.slug)).toEqual(["standard", "gpu", "staff"]);
    const gpuOffer = (await listServers(actorOf(jill), "jill")).profiles.find((p) => p.slug === "gpu")!;
    expect(gpuOffer.options).toEqual([
      { key: "image", displayName: "Image", default: "py312", choices: [{ key: "py311", displayName: "Python 3.11", description: "" }, { key: "py312", displayName: "Python 3.12", description: "" }] },
    ]);

    // Refused with a 403 that names the profile, its groups and what to do — on every way in.
    const refused = await expectAppError(createServer(actorOf(kim), "kim", { name: "train", profile: "gpu" }), "forbidden", 403);
    expect(refused.message).toBe('The profile "GPU" (gpu) is only for members of ml-team, and you are not in any of them. Choose one of the profiles offered to you, or ask an administrator to add you to one of these groups.');
    const kimToken = (await createToken(actorOf(kim), "kim", {})).token;
    const viaApi = await call(postServers as never, { user: "kim" }, "/api/users/kim/servers", kimToken, { name: "train", profile: "gpu" });
    expect(viaApi).toEqual({ status: 403, json: expect.objectContaining({ message: refused.message }) });
    const viaHub = await call(postHubNamed as never, { user: "kim", server: "train" }, "/hub/api/users/kim/servers/train", kimToken, { profile: "gpu", image: "py311" });
    expect(viaHub).toEqual({ status: 403, json: { status: 403, message: refused.message } });
    expect(await db().server.count({ where: { ownerId: kim.id, name: "train" } })).toBe(0);

    // Kim joins ml-team in Jira: the next sign-in reads it, and the same request goes through,
    // with the choice sent the KubeSpawner way (the option's name at the top of user_options).
    kimUser.groups = ["jira-software-users", "ml-team"];
    const kimAgain = await signInJira("kim", PASSWORDS.kim, null);
    expect(kimAgain.groups).toEqual(["jira-software-users", "ml-team"]);
    const hubOk = await call(postHubNamed as never, { user: "kim", server: "train" }, "/hub/api/users/kim/servers/train", kimToken, { profile: "gpu", image: "py311" });
    expect([201, 202]).toContain(hubOk.status);
    const train = await db().server.findFirstOrThrow({ where: { ownerId: kim.id, name: "train" } });
    // base (Berth's default storage) → profile (2 CPU) → choice (image, memory)
    expect(train.profileSpec).toMatchObject({ slug: "gpu", cpu: "2", memory: "1536Mi", storage: "2Gi", image: "example.org/py311:1", groups: ["ml-team"], choices: [{ option: "image", choice: "py311", displayName: "Python 3.11" }] });
    const running = await waitForState(train.id, "running");
    expect(running.upstream).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const started = await db().event.findFirstOrThrow({ where: { action: "start", serverName: "train" }, orderBy: { at: "desc" } });
    expect(started.details).toMatchObject({ profile: "gpu", resources: { cpu: "2", memory: "1536Mi", storage: "2Gi", image: "example.org/py311:1" } });
    const shown = (await listServers(actorOf(kim), "kim")).servers.find((s) => s.name === "train")!;
    expect(shown.profile).toMatchObject({ displayName: "GPU · Python 3.11", memory: "1536Mi", retired: false });
    // JupyterHub's API says what it was asked for, as KubeSpawner's user_options would.
    const hubUser = (await getHubUser(actorOf(kim), "kim", { includeStopped: false })) as { servers?: Record<string, { user_options: unknown }> };
    expect(hubUser.servers?.train.user_options).toEqual({ profile: "gpu", image: "py311" });
    await stopServer(actorOf(kim), "kim", "train");
    await waitForState(train.id, "stopped");

    // Taken out of ml-team in Jira: read at the next sign-in, and the GPU server no longer starts.
    kimUser.groups = ["jira-software-users"];
    await signInJira("kim", PASSWORDS.kim, null);
    const noStart = await expectAppError(startServer(actorOf(kim), "kim", "train"), "forbidden", 403);
    expect(noStart.message).toMatch(/^The profile "GPU" \(gpu\) is only for members of ml-team, and you are not in any of them\. Its servers cannot be started by you; delete this one/);
    expect((await db().server.findUniqueOrThrow({ where: { id: train.id } })).state).toBe("stopped");
    // An administrator may still start it for them (and use every profile).
    await startServer(admin, "kim", "train");
    await waitForState(train.id, "running");
    await stopServer(admin, "kim", "train");
    await waitForState(train.id, "stopped");

    // A bad choice is a 422 naming the choices.
    const bad = await expectAppError(createServer(actorOf(jill), "jill", { name: "x", profile: "gpu", options: { image: "py27" } }), "invalid_profile", 422);
    expect(bad.message).toBe('"py27" is not a choice of Image in the profile "GPU". Choose one of: py311, py312.');
    // Jira groups cannot be set in Berth.
    await expectAppError(setUserGroups(admin, "jill", ["staff"]), "unsupported", 422);
  });

  it("gives local accounts groups from /admin (the API) and lets administrators use every profile", async () => {
    const lou = await makeUser("lou");
    await expectAppError(createServer(lou, "lou", { name: "notes", profile: "staff" }), "forbidden", 403);
    const adminToken = (await createToken(admin, admin.name, {})).token;
    const louToken = (await createToken(lou, "lou", {})).token;

    // Only administrators may set them; bad names are refused.
    expect((await call(putGroups as never, { user: "lou" }, "/api/admin/users/lou/groups", louToken, { groups: ["staff"] }, "PUT")).status).toBe(403);
    const badName = await call(putGroups as never, { user: "lou" }, "/api/admin/users/lou/groups", adminToken, { groups: ["a,b"] }, "PUT");
    expect(badName.status).toBe(422);
    expect(badName.json.message).toMatch(/"a,b" cannot be a group name/);

    const set = await call(putGroups as never, { user: "lou" }, "/api/admin/users/lou/groups", adminToken, { groups: [" staff ", "readers", "staff"] }, "PUT");
    expect(set).toEqual({ status: 200, json: { name: "lou", groups: ["readers", "staff"], changed: true } });
    expect((await describeUser(admin, "lou")).groups).toEqual(["readers", "staff"]);
    const event = await db().event.findFirstOrThrow({ where: { action: "user_groups", targetUser: "lou" } });
    expect(event.details).toMatchObject({ groups: ["readers", "staff"], before: [], viaToken: { prefix: expect.stringMatching(/^berth_/) } });

    // Lou's sessions read groups from the database: allowed at once.
    const notes = await createServer(lou, "lou", { name: "notes", profile: "staff" });
    expect(notes.profile).toBe("staff");
    expect((await listServers(lou, "lou")).profiles.map((p) => p.slug)).toEqual(["standard", "staff"]);

    // An administrator without any group uses a group profile, for themselves or for someone else.
    expect((await createServer(admin, admin.name, { name: "big", profile: "gpu" })).profile).toBe("gpu");
    expect((await createServer(admin, "lou", { name: "gpu-for-lou", profile: "gpu", options: { image: "py311" } })).profile).toBe("gpu");
  });
});
