import { describe, expect, it } from "vitest";
import { buildPaths, cappedLog, hideHostPaths } from "./build-local";

describe("cappedLog", () => {
  it("stores lines up to the cap, then says where it stopped", () => {
    const log = cappedLog(1024);
    for (let i = 0; i < 100; i++) log.add(`line ${i} ${"x".repeat(40)}`);
    const text = log.text();
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1024 + 40);
    expect(text.startsWith("line 0 ")).toBe(true);
    expect(text.endsWith("… (log cut at 1024 bytes)")).toBe(true);
  });
});

describe("buildPaths", () => {
  it("places a build under <dataDir>/builds/<commit> and takes only a full commit id", () => {
    const c = "a".repeat(40);
    expect(buildPaths("/data", c)).toEqual({
      buildDir: `/data/builds/${c}`,
      repoDir: `/data/builds/${c}/repo`,
      envDir: `/data/builds/${c}/env`,
      homeDir: `/data/builds/${c}/home`,
      markerFile: `/data/builds/${c}/built.json`,
    });
    for (const bad of ["../../etc", "HEAD", c.toUpperCase(), `${c}/..`]) expect(() => buildPaths("/data", bad)).toThrow(/40-character commit/);
  });
});

describe("hideHostPaths", () => {
  const data = "/root/.local/share/berth";
  const c = "0123456789abcdef0123456789abcdef01234567";
  const hide = hideHostPaths(data);

  it("shows the checkout's files relative to it, and the build's folders by their variables", () => {
    expect(hide(`$ ${data}/builds/${c}/env/bin/python -m pip install --no-input -r requirements.txt`)).toBe("$ $NB_PYTHON_PREFIX/bin/python -m pip install --no-input -r requirements.txt");
    expect(hide(`ERROR: Could not open requirements file: [Errno 2] No such file or directory: '${data}/builds/${c}/repo/requirements.txt'`)).toBe(
      "ERROR: Could not open requirements file: [Errno 2] No such file or directory: 'requirements.txt'",
    );
    expect(hide(`Processing ${data}/builds/${c}/repo`)).toBe("Processing .");
    expect(hide(`Requirement already satisfied: numpy in ${data}/builds/${c}/env/lib/python3.11/site-packages (1.26.4)`)).toBe(
      "Requirement already satisfied: numpy in $NB_PYTHON_PREFIX/lib/python3.11/site-packages (1.26.4)",
    );
    expect(hide(`  Created wheel for pkg: filename=pkg.whl directory=${data}/builds/${c}/tmp/pip-ephem-wheel-cache-x/wheels`)).toBe("  Created wheel for pkg: filename=pkg.whl directory=$TMPDIR/pip-ephem-wheel-cache-x/wheels");
    expect(hide(`Installed ${data}/builds/${c}/home/.local/bin/tool`)).toBe("Installed $HOME/.local/bin/tool");
    // git works in a temporary folder that becomes repo/.
    expect(hide(`fatal: not a git repository: ${data}/builds/${c}/.fetch-Ab12/repo/.git`)).toBe("fatal: not a git repository: .git");
  });

  it("never prints the data folder, whatever is under it", () => {
    const lines = [
      `$ /usr/bin/python3 -m venv --system-site-packages --without-pip -- ${data}/base-envs/abc123.4711.ff00aa11/env`,
      `Installed kernelspec python3 in ${data}/base-envs/abc123.4711.ff00aa11/env/share/jupyter/kernels/python3`,
      `cannot open ${data}/servers/x`,
      `${data}`,
    ];
    const shown = lines.map(hide);
    expect(shown).toEqual([
      "$ /usr/bin/python3 -m venv --system-site-packages --without-pip -- <base environment>",
      "Installed kernelspec python3 in <base environment>/share/jupyter/kernels/python3",
      "cannot open <data folder>/servers/x",
      "<data folder>",
    ]);
    for (const l of shown) expect(l).not.toContain(data);
  });

  it("leaves other lines and look-alike folders alone", () => {
    expect(hide("Successfully installed numpy-1.26.4")).toBe("Successfully installed numpy-1.26.4");
    expect(hide("/usr/lib/python3/dist-packages")).toBe("/usr/lib/python3/dist-packages");
    expect(hide(`${data}-other/builds`)).toBe(`${data}-other/builds`);
  });
});
