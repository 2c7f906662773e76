import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "../../lib/db/client";
import { profiles } from "../../lib/policy/profiles";
import { createServer } from "../../lib/servers/create-server";
import { listServers } from "../../lib/servers/list-servers";
import { startServer } from "../../lib/servers/start-server";
import { stopServer } from "../../lib/servers/stop-server";
import { expectAppError, makeUser, waitFor, waitForState } from "../helpers";
import { readClaim, readPod, waitPodGone } from "../helpers/kube";

// Issue 13 points 4 and 6 on the Kubernetes runtime, against the real API server: the same
// profile rules as on the local runtime (groups, choices base → profile → choice), and a pod sized
// from what the server recorded at creation, through an edit and the removal of its profile.

const dir = mkdtempSync(path.join(tmpdir(), "berth-kube-profiles-"));
const file = path.join(dir, "profiles.json");
function write(content: unknown) {
  writeFileSync(`${file}.tmp`, JSON.stringify(content));
  renameSync(`${file}.tmp`, file);
}
const STANDARD = { slug: "standard", displayName: "Standard", default: true };
const GPU = {
  slug: "gpu",
  displayName: "GPU",
  cpu: "1",
  memory: "2Gi",
  storage: "3Gi",
  image: "registry.example.org/gpu-notebook:1",
  groups: ["ml-team"],
  options: {
    size: {
      displayName: "Size",
      choices: {
        small: { displayName: "Small" },
        large: { displayName: "Large", overrides: { cpu: "2", memory: "4Gi", image: "registry.example.org/gpu-large:3" } },
      },
    },
  },
};
write({ profiles: [STANDARD, GPU] });
process.env.BERTH_PROFILES_FILE = file;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function notebookOf(pod: string) {
  const p = await readPod(pod);
  expect(p, `pod ${pod}`).toBeDefined();
  const [c] = p!.spec!.containers;
  return { limits: c.resources?.limits, image: c.image, initImage: p!.spec!.initContainers?.[0].image };
}

describe("profiles on the Kubernetes runtime", () => {
  it("refuses a group profile to a non-member, sizes the pod from the chosen option, and keeps the recorded profile after it is edited and removed", async () => {
    const kim = await makeUser("kim");
    const lee = await makeUser("lee");
    await db().user.update({ where: { id: kim.id! }, data: { groups: ["ml-team"] } });

    // The same 403 as on the local runtime; nothing reaches the cluster.
    const refused = await expectAppError(createServer(lee, "lee", { name: "train", profile: "gpu" }), "forbidden", 403);
    expect(refused.message).toMatch(/^The profile "GPU" \(gpu\) is only for members of ml-team/);
    expect((await listServers(lee, "lee")).profiles.map((p) => p.slug)).toEqual(["standard"]);

    // base → profile → choice: Large's CPU, memory and image over GPU's; GPU's storage.
    const train = await createServer(kim, "kim", { name: "train", profile: "gpu", options: { size: "large" } });
    await startServer(kim, "kim", "train");
    await waitForState(train.id, "running");
    const expected = { limits: { cpu: "2", memory: "4Gi" }, image: "registry.example.org/gpu-large:3", initImage: "registry.example.org/gpu-large:3" };
    expect(await notebookOf("jupyter-kim--train")).toEqual(expected);
    expect((await readClaim("claim-kim--train"))?.spec?.resources?.requests).toEqual({ storage: "3Gi" });
    await stopServer(kim, "kim", "train");
    await waitForState(train.id, "stopped");
    await waitPodGone("jupyter-kim--train");

    // The administrators shrink GPU's Large, then remove GPU altogether: the next start's pod is
    // still what the server recorded, and the dashboard shows the profile as retired.
    write({ profiles: [STANDARD, { ...GPU, options: { size: { displayName: "Size", choices: { large: { displayName: "Large", overrides: { cpu: "1", memory: "1Gi" } } } } } }] });
    await waitFor("the edited profile to be read", async () => profiles().find((p) => p.slug === "gpu")?.options?.size.choices.small === undefined, 30_000);
    write({ profiles: [{ ...STANDARD, cpu: "500m", memory: "1Gi" }] });
    await waitFor("the profile to be removed", async () => !profiles().some((p) => p.slug === "gpu"), 30_000);
    expect((await listServers(kim, "kim")).servers.find((s) => s.name === "train")!.profile).toEqual({ slug: "gpu", displayName: "GPU · Large", cpu: "2", memory: "4Gi", storage: "3Gi", retired: true });

    await startServer(kim, "kim", "train");
    await waitForState(train.id, "running");
    expect(await notebookOf("jupyter-kim--train")).toEqual(expected);
    await stopServer(kim, "kim", "train");
    await waitForState(train.id, "stopped");
    await waitPodGone("jupyter-kim--train");

    // Out of ml-team: the retired profile's recorded groups still decide who may start it.
    await db().user.update({ where: { id: kim.id! }, data: { groups: [] } });
    await expectAppError(startServer(kim, "kim", "train"), "forbidden", 403);
    expect(await readPod("jupyter-kim--train")).toBeUndefined();
  });
});
