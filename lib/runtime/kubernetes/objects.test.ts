import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { INIT_HOME } from "./objects";

// The init container's script, run by a real sh against real folders standing in for the image's
// home (/home/jovyan) and the volume (/mnt/home).
let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function initHome(image: string, imageFiles: Record<string, string>, volume: string) {
  const home = mkdtempSync(path.join(tmpdir(), "berth-image-home-"));
  dirs.push(home);
  for (const [name, body] of Object.entries(imageFiles)) {
    mkdirSync(path.dirname(path.join(home, name)), { recursive: true });
    writeFileSync(path.join(home, name), body);
  }
  const script = INIT_HOME.replaceAll("/home/jovyan", home).replaceAll("/mnt/home", volume);
  execFileSync("sh", ["-c", script], { env: { PATH: "/usr/bin:/bin", BERTH_IMAGE: image } as unknown as NodeJS.ProcessEnv });
}

describe("init-home", () => {
  it("copies everything on the first start, then on a new image only what the person does not have", () => {
    const volume = mkdtempSync(path.join(tmpdir(), "berth-volume-"));
    dirs.push(volume);
    initHome("reg/berth/r:aaa", { "hello.ipynb": "v1", "data/a.csv": "1" }, volume);
    expect(readFileSync(path.join(volume, "hello.ipynb"), "utf8")).toBe("v1");
    expect(readFileSync(path.join(volume, ".berth-home-initialized"), "utf8").trim()).toBe("reg/berth/r:aaa");

    writeFileSync(path.join(volume, "hello.ipynb"), "my edits");
    // The same image again: nothing is copied (a deleted file stays deleted).
    rmSync(path.join(volume, "data/a.csv"));
    initHome("reg/berth/r:aaa", { "hello.ipynb": "v1", "data/a.csv": "1" }, volume);
    expect(existsSync(path.join(volume, "data/a.csv"))).toBe(false);

    // A new commit's image: new files arrive, the person's edits stay.
    initHome("reg/berth/r:bbb", { "hello.ipynb": "v2", "new.ipynb": "n" }, volume);
    expect(readFileSync(path.join(volume, "hello.ipynb"), "utf8")).toBe("my edits");
    expect(readFileSync(path.join(volume, "new.ipynb"), "utf8")).toBe("n");
    expect(readFileSync(path.join(volume, ".berth-home-initialized"), "utf8").trim()).toBe("reg/berth/r:bbb");
  });

  it("treats an image name as data, never as shell", () => {
    const volume = mkdtempSync(path.join(tmpdir(), "berth-volume-"));
    dirs.push(volume);
    const evil = `x"; touch ${path.join(volume, "pwned")}; echo "`;
    initHome(evil, { f: "1" }, volume);
    expect(existsSync(path.join(volume, "pwned"))).toBe(false);
    expect(readFileSync(path.join(volume, ".berth-home-initialized"), "utf8").trim()).toBe(evil);
  });
});
