import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { onPath } from "../local/jupyter-command";
import { installJupyterAuth, jupyterAuthArgs, jupyterAuthSource, MODULE_ENV, POD_BOOTSTRAP, PROXY_AUTH_HEADER, upstreamAuthHeaders } from "./jupyter-auth";

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), "berth-jupyter-auth-"));
  dirs.push(d);
  return d;
};
/** Exactly these variables, nothing of the test's own environment. */
const only = (env: Record<string, string>) => env as unknown as NodeJS.ProcessEnv;
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("Jupyter's options", () => {
  it("hand Notebook 6 to the login handler, with its token, password and open metrics off", () => {
    const a = jupyterAuthArgs("NotebookApp");
    expect(a).toEqual(
      expect.arrayContaining([
        "--NotebookApp.login_handler_class=berth_jupyter_auth.NotebookLoginHandler",
        "--NotebookApp.token=",
        "--NotebookApp.password=",
        "--NotebookApp.authenticate_prometheus=True",
      ]),
    );
  });

  it("hand Jupyter Server to the identity provider, with its token off", () => {
    expect(jupyterAuthArgs("ServerApp")).toEqual([
      "--ServerApp.identity_provider_class=berth_jupyter_auth.ProxyIdentityProvider",
      "--IdentityProvider.token=",
      "--ServerApp.authenticate_prometheus=True",
    ]);
  });

  it("never carry a secret", () => {
    for (const a of [...jupyterAuthArgs("NotebookApp"), ...jupyterAuthArgs("ServerApp")]) expect(a).toMatch(/^--[A-Za-z]+\.[a-z_]+=([a-z_.A-Z]*|True)$/);
  });
});

describe("the proxy's headers", () => {
  it("carry the secret in Berth's header, and in Authorization for servers started before it", () => {
    expect(upstreamAuthHeaders("s3")).toEqual({ [PROXY_AUTH_HEADER]: "s3", authorization: "token s3" });
  });
});

describe("the module", () => {
  it("is found from the project folder and names the classes the options point at", () => {
    const src = jupyterAuthSource();
    expect(src).toContain("class NotebookLoginHandler(");
    expect(src).toContain("class ProxyIdentityProvider(");
    expect(src).toContain('HEADER = "X-Berth-Proxy-Auth"');
  });

  it("is installed into the data folder once, readable by all and replaced when it differs", () => {
    const data = tempDir();
    const dir = installJupyterAuth(data);
    const file = path.join(dir, "berth_jupyter_auth.py");
    expect(dir).toBe(path.join(data, "jupyter-auth"));
    expect(readFileSync(file, "utf8")).toBe(jupyterAuthSource());
    expect(statSync(file).mode & 0o777).toBe(0o644);
    writeFileSync(file, "tampered");
    installJupyterAuth(data);
    expect(readFileSync(file, "utf8")).toBe(jupyterAuthSource());
  });
});

// Python starts slowly on a busy machine; these are not about time.
describe("the pod's bootstrap script", { timeout: 60_000 }, () => {
  it("writes the module from the environment, puts it on PYTHONPATH and execs its arguments unchanged", () => {
    const out = execFileSync(
      "sh",
      ["-c", POD_BOOTSTRAP, "sh", "python3", "-c", "import os, sys, berth_jupyter_auth as m; print(os.environ.get('BERTH_JUPYTER_AUTH'), os.environ.get('PYTHONPATH'), m.HEADER, sys.argv[1:])", "a b", "$(x)"],
      { env: only({ PATH: process.env.PATH ?? "", [MODULE_ENV]: jupyterAuthSource(), PYTHONPATH: "/elsewhere", TMPDIR: tempDir() }), encoding: "utf8" },
    );
    // The module's own folder left PYTHONPATH at import; the source variable before Jupyter ran.
    expect(out.trim()).toBe("None /elsewhere X-Berth-Proxy-Auth ['a b', '$(x)']");
  });
});

/** Notebook 6's own Python (the one its `jupyter-notebook` script names), which has tornado and traitlets. */
function jupyterPython(): string {
  const script = onPath("jupyter-notebook", process.env.PATH ?? "");
  if (!script) throw new Error("These tests need Jupyter Notebook 6: apt-get install jupyter-notebook");
  return readFileSync(script, "utf8").split("\n")[0].replace(/^#!\s*/, "").split(/\s+/)[0];
}

/** Runs Python with the module importable and the given secret; returns what it printed. */
function python(code: string, env: Record<string, string> = {}): string {
  const dir = installJupyterAuth(tempDir());
  return execFileSync(jupyterPython(), ["-c", code], { env: only({ PATH: process.env.PATH ?? "", PYTHONPATH: dir, ...env }), encoding: "utf8" }).trim();
}

describe("the authenticator", { timeout: 60_000 }, () => {
  const fakeHandler = `
class Headers(dict):
    def get(self, k, d=None):
        return dict.get(self, k.lower(), d)
class Req:
    def __init__(self, h): self.headers = Headers({k.lower(): v for k, v in h.items()})
class Handler:
    def __init__(self, h): self.request = Req(h)
`;

  it("Notebook 6: a user only with the proxy's header and this server's secret; no login, no secret left in the environment", () => {
    const out = python(
      `${fakeHandler}
import os
from berth_jupyter_auth import NotebookLoginHandler as L
ok = Handler({"X-Berth-Proxy-Auth": "s3cret"})
print(L.get_user(ok), L.is_token_authenticated(ok))
for h in [{}, {"X-Berth-Proxy-Auth": "s3cre"}, {"X-Berth-Proxy-Auth": "s3cretx"}, {"Authorization": "token s3cret"}]:
    print(L.get_user(Handler(h)), end=" ")
print(L.get_login_available({"token": "x", "password": "y"}), "BERTH_PROXY_SECRET" in os.environ, "PYTHONPATH" in os.environ)`,
      { BERTH_PROXY_SECRET: "s3cret", JUPYTERHUB_USER: "alice" },
    );
    expect(out.split("\n")).toEqual(["alice True", "None None None None False False False"]);
  });

  it("Notebook 6: without a secret in its environment, refuses everything", () => {
    const out = python(`${fakeHandler}
from berth_jupyter_auth import NotebookLoginHandler as L
print(L.get_user(Handler({"X-Berth-Proxy-Auth": ""})))`);
    expect(out).toBe("None");
  });

  it("Jupyter Server 2: the identity provider (against a stand-in of its documented interface) has no token, no login form, and a user only with the header", () => {
    // A minimal jupyter_server: IdentityProvider (a traitlets Configurable with a `token` trait
    // whose default would be random), User, JupyterHandler.
    const stub = tempDir();
    const pkg = path.join(stub, "jupyter_server");
    execFileSync("mkdir", ["-p", path.join(pkg, "auth"), path.join(pkg, "base")]);
    writeFileSync(path.join(pkg, "__init__.py"), "");
    writeFileSync(path.join(pkg, "auth", "__init__.py"), "");
    writeFileSync(
      path.join(pkg, "auth", "identity.py"),
      `from dataclasses import dataclass
from traitlets import Unicode, default
from traitlets.config import LoggingConfigurable
@dataclass
class User:
    username: str
class IdentityProvider(LoggingConfigurable):
    token = Unicode("<generated>").tag(config=True)
    @default("token")
    def _token_default(self):
        return "random-generated"
    @property
    def login_available(self):
        return True
    def get_handlers(self):
        return [(r"/login", object), (r"/logout", object)]
`,
    );
    writeFileSync(path.join(pkg, "base", "__init__.py"), "");
    writeFileSync(path.join(pkg, "base", "handlers.py"), "from tornado.web import RequestHandler as JupyterHandler\n");
    const out = python(
      `${fakeHandler}
import sys
sys.path.insert(0, ${JSON.stringify(stub)})
from berth_jupyter_auth import ProxyIdentityProvider
p = ProxyIdentityProvider()
ok = Handler({"X-Berth-Proxy-Auth": "s3cret"})
print(repr(p.token), p.login_available, p.logout_available, p.auth_enabled, [r for r, _ in p.get_handlers()])
print(p.get_user(ok), p.is_token_authenticated(ok))
print(p.get_user(Handler({})), p.get_user(Handler({"Authorization": "token s3cret"})), p.is_token_authenticated(Handler({})))`,
      { BERTH_PROXY_SECRET: "s3cret", JUPYTERHUB_USER: "alice" },
    );
    expect(out.split("\n")).toEqual(["'' False False True ['/login']", "User(username='alice') True", "None None False"]);
  });
});
