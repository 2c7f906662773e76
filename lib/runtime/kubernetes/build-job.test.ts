import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../config";
import type { BuildRequest } from "../types";
import { BUILDER_SCRIPT, buildJobManifest, buildJobName, builderArgs, imageHash, RUNNER_SCRIPT } from "./build-job";
import { buildFailure, buildOutcome, formatDuration } from "./build-outcome";
import { DNS1123_LABEL } from "./names";

const builds = loadConfig({} as NodeJS.ProcessEnv).builds;
const commit = "0123456789abcdef0123456789abcdef01234567";
const req = (over: Partial<BuildRequest> = {}): BuildRequest => ({
  imageName: `registry.example.org:5000/berth/gh-2dexample-2frepo:${commit}`,
  commit,
  fetchUrl: "https://github.com/example/repo",
  provider: "gh",
  repo: "example/repo",
  ...over,
});
const opts = { namespace: "berth", builds, registryUrl: "https://registry.example.org:5000" };

describe("the build Job's name", () => {
  it("is the same for the same image, different for another, and a DNS-1123 label", () => {
    const a = buildJobName(req().imageName);
    expect(buildJobName(req().imageName)).toBe(a);
    expect(buildJobName(req({ imageName: req().imageName.replace(commit, "f".repeat(40)) }).imageName)).not.toBe(a);
    for (const image of [req().imageName, `${"x".repeat(250)}:${commit}`, "UPPER/Case:tag"]) {
      const name = buildJobName(image);
      expect(name).toMatch(DNS1123_LABEL);
      expect(name.length).toBeLessThanOrEqual(63);
      expect(name).toBe(`build-${imageHash(image)}`);
    }
  });
});

describe("the build Job", () => {
  const job = buildJobManifest(req(), opts);
  const pod = job.spec!.template.spec!;
  const [builder, kaniko] = pod.containers;

  it("carries the labels, the annotations and the Job settings from the configuration", () => {
    expect(job.metadata?.labels).toMatchObject({ "app.kubernetes.io/name": "berth", "app.kubernetes.io/component": "build", "berth/image-hash": imageHash(req().imageName) });
    expect(job.metadata?.annotations).toEqual({ "berth/image": req().imageName, "berth/commit": commit, "berth/repository": "example/repo", "berth/provider": "gh" });
    expect(job.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: builds.timeoutSeconds, ttlSecondsAfterFinished: builds.ttlSeconds });
    expect(job.spec!.template.metadata?.labels).toEqual(job.metadata?.labels);
    expect(pod.restartPolicy).toBe("Never");
    expect(pod.automountServiceAccountToken).toBe(false);
    for (const c of pod.containers) {
      expect(c.resources).toEqual({ limits: { cpu: builds.cpuLimit, memory: builds.memoryLimit }, requests: { cpu: builds.cpuRequest, memory: builds.memoryRequest } });
      expect(c.volumeMounts).toContainEqual({ name: "workspace", mountPath: "/workspace" });
    }
    expect(pod.volumes).toContainEqual({ name: "workspace", emptyDir: {} });
  });

  it("runs repo2docker with its argv as separate entries, the address last after --, never inside a script", () => {
    expect(builder.image).toBe(builds.builderImage);
    expect(builder.args).toEqual([
      "repo2docker",
      "--engine=kaniko",
      "--no-run",
      "--user-id=1000",
      "--user-name=jovyan",
      `--image-name=${req().imageName}`,
      `--ref=${commit}`,
      "--KanikoEngine.kaniko_address=unix:///workspace/.kaniko-runner.sock",
      "--KanikoEngine.push_image=true",
      "--",
      "https://github.com/example/repo",
    ]);
    // The command is a constant wrapper that runs "$@": nothing of the request is in it.
    expect(builder.command).toEqual(["/bin/sh", "-c", BUILDER_SCRIPT, "berth-build"]);
    const hostile = req({ fetchUrl: "https://example.org/$(touch /tmp/pwned);`id`", repo: "'; rm -rf / #" });
    expect(buildJobManifest(hostile, opts).spec!.template.spec!.containers[0].command).toEqual(builder.command);
    for (const part of ["example.org", commit, "example/repo"]) {
      expect(BUILDER_SCRIPT).not.toContain(part);
      expect(RUNNER_SCRIPT).not.toContain(part);
    }
    expect(kaniko.image).toBe(builds.kanikoImage);
    expect(kaniko.command).toEqual(["/busybox/sh", "-c", RUNNER_SCRIPT]);
  });

  it("refuses what is not a resolved commit or an http(s) address", () => {
    expect(() => builderArgs(req({ commit: "main" }), opts)).toThrow(/resolved commit/);
    expect(() => builderArgs(req({ commit: `${commit} --help` }), opts)).toThrow(/resolved commit/);
    expect(() => builderArgs(req({ fetchUrl: "file:///etc" }), opts)).toThrow(/http/);
    expect(() => builderArgs(req({ fetchUrl: "--upload-pack=x" }), opts)).toThrow(/address/);
  });

  it("takes registry credentials from the Secret, never the password itself", () => {
    const withPassword = loadConfig({ BERTH_REGISTRY_URL: "https://registry.example.org:5000", BERTH_REGISTRY_USERNAME: "builder", BERTH_REGISTRY_PASSWORD: "s3cret-Pa55word" } as unknown as NodeJS.ProcessEnv);
    const j = buildJobManifest(req(), { namespace: "berth", builds: withPassword.builds, registryUrl: withPassword.registry.url });
    expect(JSON.stringify(j)).not.toContain("s3cret-Pa55word");
    expect(JSON.stringify(j)).not.toContain("CONTAINER_ENGINE_REGISTRY_CREDENTIALS");
    expect(j.spec!.template.spec!.volumes).toContainEqual({
      name: "registry",
      secret: { secretName: builds.registrySecret, optional: true, items: [{ key: ".dockerconfigjson", path: "config.json" }] },
    });
    expect(kaniko.env).toEqual([{ name: "DOCKER_CONFIG", value: "/berth/registry" }]);
    expect(kaniko.volumeMounts).toContainEqual({ name: "registry", mountPath: "/berth/registry", readOnly: true });
  });

  it("marks a plain-http registry insecure for Kaniko", () => {
    const j = buildJobManifest(req({ imageName: `127.0.0.1:5000/berth/x:${commit}` }), { ...opts, registryUrl: "http://127.0.0.1:5000" });
    const [b, k] = j.spec!.template.spec!.containers;
    expect(k.env).toContainEqual({ name: "BERTH_INSECURE_REGISTRY", value: "127.0.0.1:5000" });
    expect(b.args).toContain("--KanikoEngine.kaniko_executable=/kaniko/berth-executor");
    expect(b.args!.at(-2)).toBe("--");
  });
});

describe("the builder's and the runner's scripts", () => {
  // Run for real with sh, on a folder standing in for /workspace.
  function run(script: string, args: string[], dir: string) {
    const local = script.replaceAll("/workspace", dir).replaceAll("/kaniko/", `${dir}/kaniko-`);
    try {
      return { code: 0, out: execFileSync("sh", ["-c", local, "berth-build", ...args], { env: { ...process.env, LANG: "C" }, encoding: "utf8", timeout: 20_000 }) };
    } catch (err) {
      return { code: (err as { status: number }).status, out: String((err as { stdout: string }).stdout) };
    }
  }

  it("passes the argv through untouched, records the exit code, and the runner ends on it", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "berth-build-job-"));
    try {
      // Stand-ins: a socket file (a FIFO is not -S; use python to bind one) and a runner that sleeps.
      execFileSync("python3", ["-c", `import socket; s=socket.socket(socket.AF_UNIX); s.bind(${JSON.stringify(`${dir}/.kaniko-runner.sock`)})`]);
      const weird = ["$(touch pwned)", "`id`", "a b", "; exit 9", "--"];
      const r = run(BUILDER_SCRIPT, ["sh", "-c", 'printf "%s|" "$@"; exit 4', "argv0", ...weird], dir);
      expect(r.out).toBe(`${weird.join("|")}|`);
      expect(r.code).toBe(4);
      expect(readFileSync(`${dir}/.berth-builder-exit`, "utf8").trim()).toBe("4");
      expect(() => readFileSync(`${dir}/pwned`)).toThrow();

      // A kaniko-runner that would run for two minutes, findable by its unusual argument. `exec`:
      // the stand-in is the sleep itself, so no orphaned child holds the output open once killed.
      const marker = `${100 + Math.floor(Math.random() * 900)}.${process.pid}`;
      writeFileSync(`${dir}/kaniko-kaniko-runner`, `#!/bin/sh\nexec sleep ${marker}\n`, { mode: 0o755 });
      const runner = run(RUNNER_SCRIPT.replaceAll("/busybox/sh", "/bin/sh"), [], dir);
      // Ended by itself with 0 (run()'s 20 s deadline would give no code): it did not wait for the
      // runner, it ended it once the builder's exit code was there.
      expect(runner.code).toBe(0);
      expect(spawnSync("pgrep", ["-f", `sleep ${marker}`]).status, "the kaniko-runner stand-in is still running").toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a build's outcome", () => {
  const job = buildJobManifest(req(), opts);
  it("reads success, deadline and a failed builder with its exit code and log tail", () => {
    expect(buildOutcome(job, undefined)).toEqual({ kind: "running" });
    expect(buildOutcome({ ...job, status: { conditions: [{ type: "Complete", status: "True" }] } }, undefined)).toEqual({ kind: "succeeded" });
    const late = { ...job, spec: { ...job.spec!, activeDeadlineSeconds: 3600 }, status: { conditions: [{ type: "Failed", status: "True", reason: "DeadlineExceeded" }] } };
    const o = buildOutcome(late, undefined);
    expect(o.kind).toBe("failed");
    expect(buildFailure(late, undefined, o as never, []).message).toMatch(/took longer than 60 minutes/);
    const pod = { status: { containerStatuses: [{ name: "builder", image: "", imageID: "", ready: false, restartCount: 0, state: { terminated: { exitCode: 2 } } }] } };
    const failed = buildOutcome(job, pod);
    expect(failed).toEqual({ kind: "failed", reason: "BuilderFailed" });
    const err = buildFailure(job, pod, failed as never, ["step 1", "ERROR: no such package"]);
    expect(err.message).toMatch(/exited with code 2/);
    expect(err.message).toContain("ERROR: no such package");
    expect(err.details).toMatchObject({ reason: "build_failed", exitCode: 2 });
    expect(formatDuration(90)).toBe("90 seconds");
    expect(formatDuration(60)).toBe("1 minute");
  });
});
