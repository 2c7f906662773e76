import { describe, expect, it } from "vitest";
import { runCommand } from "./run-command";

const env = { PATH: "/usr/local/bin:/usr/bin:/bin" };

describe("runCommand", () => {
  it("passes arguments as they are, never through a shell", async () => {
    const lines: string[] = [];
    const r = await runCommand("printf", ["%s\\n", "$(touch /tmp/never)", "a; b"], { cwd: "/", env, timeoutMs: 10_000, onLine: (l) => lines.push(l) });
    expect(r).toMatchObject({ code: 0, timedOut: false });
    expect(lines).toEqual(["$(touch /tmp/never)", "a; b"]);
  });

  it("gives the child only the environment it is handed", async () => {
    const r = await runCommand("env", [], { cwd: "/", env: { ...env, ONLY: "this" }, timeoutMs: 10_000 });
    expect(r.tail.sort()).toEqual(["ONLY=this", `PATH=${env.PATH}`]);
  });

  it("kills the whole process group at the deadline", async () => {
    const r = await runCommand("bash", ["-c", "sleep 30 & sleep 30; echo never"], { cwd: "/", env, timeoutMs: 200 });
    expect(r).toMatchObject({ timedOut: true, code: null, signal: "SIGKILL" });
    expect(r.tail).not.toContain("never");
  });

  it("reports a program that does not exist", async () => {
    const r = await runCommand("berth-no-such-program", [], { cwd: "/", env, timeoutMs: 10_000 });
    expect(r.code).toBeNull();
    expect(r.tail.join(" ")).toContain("could not start berth-no-such-program");
  });
});

describe("runCommand when the program leaves children behind", () => {
  it("ends them with it instead of waiting for them", async () => {
    const r = await runCommand("bash", ["-c", "sleep 30 & echo started"], { cwd: "/", env, timeoutMs: 10_000 });
    expect(r).toMatchObject({ code: 0, timedOut: false, tail: ["started"] });
  });
});
