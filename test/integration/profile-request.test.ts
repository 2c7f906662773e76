import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { GET as getServers } from "../../app/api/users/[user]/servers/route";
import { profileRequestLink } from "../../lib/policy/profile-request";
import type { ServersPage } from "../../lib/servers/list-servers";
import { createServer } from "../../lib/servers/create-server";
import { createToken } from "../../lib/tokens/tokens";
import { expectAppError, makeUser } from "../helpers";
import { writeProfilesFile } from "../helpers/profiles-file";

// Issue 13 point 5: with BERTH_PROFILE_REQUEST_URL set, the servers page data carries the request
// address for "Need another profile?", and a refusal of a profile points there. (The form and the
// link a person opens are in e2e/profiles.spec.ts.)

const { dir } = writeProfilesFile("berth-profile-request-", [{ slug: "standard", displayName: "Standard", default: true }, { slug: "gpu", displayName: "GPU", groups: ["ml-team"] }]);
const TEMPLATE = "https://desk.example.org/servicedesk/customer/portal/2/create/10?summary={summary}&description=Requested+by+{user}";
process.env.BERTH_PROFILE_REQUEST_URL = TEMPLATE;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("asking for a profile", () => {
  it("gives the add-server form the request address, and the 403 for a group profile points to it", async () => {
    const ann = await makeUser("ann.lee");
    const token = (await createToken(ann, ann.name, {})).token;
    const res = await getServers(new Request("http://berth.test/api/users/ann.lee/servers", { headers: { authorization: `token ${token}` } }), { params: Promise.resolve({ user: "ann.lee" }) });
    expect(res.status).toBe(200);
    const page = (await res.json()) as ServersPage;
    expect(page.profileRequestUrl).toBe(TEMPLATE);
    expect(page.profiles.map((p) => p.slug)).toEqual(["standard"]);

    // What the form opens for what Ann typed: her name and the text, each URL-encoded in its place.
    const link = new URL(profileRequestLink(page.profileRequestUrl!, page.user, "GPU for training & evaluation"));
    expect(link.origin + link.pathname).toBe("https://desk.example.org/servicedesk/customer/portal/2/create/10");
    expect(link.searchParams.get("summary")).toBe("GPU for training & evaluation");
    expect(link.searchParams.get("description")).toBe("Requested by ann.lee");

    const e = await expectAppError(createServer(ann, "ann.lee", { name: "train", profile: "gpu" }), "forbidden", 403);
    expect(e.message).toBe('The profile "GPU" (gpu) is only for members of ml-team, and you are not in any of them. Choose one of the profiles offered to you, or ask for it with "Need another profile?" on My servers.');
  });
});
