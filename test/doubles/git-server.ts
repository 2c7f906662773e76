import { execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

// A real Git server: `git http-backend` (the CGI program Git ships for smart HTTP) behind a Node
// HTTP server on 127.0.0.1, serving bare repositories made from fixture trees. What Berth sees is
// exactly what a Git host sends: the ref advertisement, its content type, 404 for a missing
// repository. Beside the repositories a few paths misbehave on purpose:
//   /private/…       401 with a Basic challenge, as GitHub answers for private or missing repos
//   /redirect/…      301 to the same path without /redirect
//   redirect(target) → a base address whose every path answers 302 to the same path below target
//   /html/…          200 text/html, like a web page at a non-Git address
//   /hang/…          never answers

const run = promisify(execFile);

export interface GitRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

export interface GitServerDouble {
  /** http://127.0.0.1:<port> */
  url: string;
  /** Bare repositories live here, as <name>.git. */
  root: string;
  requests: GitRequest[];
  /** An address whose paths redirect (302) to the same paths below `target`, wherever that is. */
  redirect(target: string): string;
  /** Clone URL of a repository made by createRepo. */
  repoUrl(name: string): string;
  /** A bare repository whose default branch `main` has one commit with `files`; returns its id. */
  createRepo(name: string, files: Record<string, string>, opts?: { branch?: string }): Promise<string>;
  /** An empty bare repository (no commits). */
  createEmptyRepo(name: string): Promise<void>;
  /** Commits `files` (added or replaced) on `branch` (default main, created from main if new); returns the commit id. */
  addCommit(name: string, files: Record<string, string>, branch?: string): Promise<string>;
  /** A lightweight tag, or an annotated one with `message`, at `commit` (default: main). Returns the tag object id for annotated tags, else the commit. */
  addTag(name: string, tag: string, opts?: { commit?: string; message?: string }): Promise<string>;
  /** Points HEAD of the bare repository at refs/heads/<branch>. */
  setHead(name: string, branch: string): Promise<void>;
  revParse(name: string, rev: string): Promise<string>;
  close(): Promise<void>;
}

const gitEnv = (home: string): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: home,
  NODE_ENV: "test",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_NAME: "Berth Tests",
  GIT_AUTHOR_EMAIL: "tests@berth.invalid",
  GIT_COMMITTER_NAME: "Berth Tests",
  GIT_COMMITTER_EMAIL: "tests@berth.invalid",
  LANG: "C",
});

export async function startGitServer(): Promise<GitServerDouble> {
  const base = mkdtempSync(path.join(tmpdir(), "berth-git-"));
  const root = path.join(base, "repos");
  const work = path.join(base, "work");
  const home = path.join(base, "home");
  for (const d of [root, work, home]) mkdirSync(d, { recursive: true });
  const env = gitEnv(home);
  const git = async (cwd: string, ...args: string[]) => (await run("git", args, { cwd, env })).stdout.trim();
  const requests: GitRequest[] = [];
  const hanging = new Set<http.ServerResponse>();
  const redirects: string[] = [];

  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? "GET", url: req.url ?? "/", headers: req.headers });
    const url = new URL(req.url ?? "/", "http://double");
    const p = url.pathname;
    if (p.startsWith("/private/")) {
      res.writeHead(401, { "www-authenticate": 'Basic realm="GitHub"', "content-type": "text/plain" }).end("Authentication required\n");
      return;
    }
    if (p.startsWith("/redirect/")) {
      res.writeHead(301, { location: `${p.slice("/redirect".length)}${url.search}` }).end();
      return;
    }
    const jump = p.match(/^\/r\/(\d+)(\/.*)?$/);
    if (jump && redirects[Number(jump[1])] !== undefined) {
      res.writeHead(302, { location: `${redirects[Number(jump[1])]}${jump[2] ?? ""}${url.search}` }).end();
      return;
    }
    if (p.startsWith("/html/")) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end("<!doctype html><title>Sign in</title>");
      return;
    }
    if (p.startsWith("/hang/")) {
      hanging.add(res);
      res.on("close", () => hanging.delete(res));
      return;
    }
    cgi(req, res, url);
  });

  // RFC 3875 CGI, as far as git http-backend needs it.
  function cgi(req: http.IncomingMessage, res: http.ServerResponse, url: URL) {
    const child = spawn("git", ["http-backend"], {
      env: {
        ...env,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: "1",
        GATEWAY_INTERFACE: "CGI/1.1",
        SERVER_PROTOCOL: "HTTP/1.1",
        REQUEST_METHOD: req.method ?? "GET",
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.replace(/^\?/, ""),
        CONTENT_TYPE: req.headers["content-type"] ?? "",
        CONTENT_LENGTH: req.headers["content-length"] ?? "",
        REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
        HTTP_CONTENT_ENCODING: req.headers["content-encoding"] ?? "",
        HTTP_GIT_PROTOCOL: String(req.headers["git-protocol"] ?? ""),
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    req.pipe(child.stdin);
    let head = Buffer.alloc(0);
    let headersDone = false;
    child.stdout.on("data", (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const text = head.toString("latin1");
      const end = text.search(/\r?\n\r?\n/);
      if (end < 0) return;
      headersDone = true;
      const sep = text.slice(end).match(/^\r?\n\r?\n/)![0].length;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of text.slice(0, end).split(/\r?\n/)) {
        const i = line.indexOf(":");
        if (i < 0) continue;
        const k = line.slice(0, i).trim();
        const v = line.slice(i + 1).trim();
        if (k.toLowerCase() === "status") status = parseInt(v, 10);
        else headers[k] = v;
      }
      res.writeHead(status, headers);
      res.write(head.subarray(end + sep));
    });
    child.stderr.resume();
    child.on("error", () => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
    child.on("close", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const bare = (name: string) => path.join(root, `${name}.git`);
  const checkout = (name: string) => path.join(work, name);

  async function write(dir: string, files: Record<string, string>) {
    for (const [file, content] of Object.entries(files)) {
      const full = path.join(dir, file);
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, content);
    }
  }

  async function addCommit(name: string, files: Record<string, string>, branch = "main"): Promise<string> {
    const dir = checkout(name);
    const branches = await git(dir, "branch", "--list", "--format=%(refname:short)");
    if (branches.split("\n").includes(branch)) await git(dir, "checkout", "-q", branch);
    else await git(dir, "checkout", "-q", "-b", branch, "main");
    await write(dir, files);
    await git(dir, "add", "-A");
    await git(dir, "commit", "-q", "--allow-empty", "-m", `change ${Object.keys(files).join(", ") || "nothing"}`);
    await git(dir, "push", "-q", "origin", `${branch}:refs/heads/${branch}`);
    return git(dir, "rev-parse", "HEAD");
  }

  return {
    url,
    root,
    requests,
    repoUrl: (name) => `${url}/${name}.git`,
    redirect(target) {
      redirects.push(target.replace(/\/+$/, ""));
      return `${url}/r/${redirects.length - 1}`;
    },
    async createRepo(name, files, opts = {}) {
      const branch = opts.branch ?? "main";
      mkdirSync(path.dirname(bare(name)), { recursive: true });
      await git(root, "init", "-q", "--bare", `--initial-branch=${branch}`, bare(name));
      mkdirSync(checkout(name), { recursive: true });
      await git(checkout(name), "init", "-q", `--initial-branch=${branch}`);
      await git(checkout(name), "remote", "add", "origin", bare(name));
      await write(checkout(name), files);
      await git(checkout(name), "add", "-A");
      await git(checkout(name), "commit", "-q", "-m", "initial");
      await git(checkout(name), "push", "-q", "origin", `${branch}:refs/heads/${branch}`);
      return git(checkout(name), "rev-parse", "HEAD");
    },
    async createEmptyRepo(name) {
      mkdirSync(path.dirname(bare(name)), { recursive: true });
      await git(root, "init", "-q", "--bare", "--initial-branch=main", bare(name));
    },
    addCommit,
    async addTag(name, tag, opts = {}) {
      const dir = checkout(name);
      const target = opts.commit ?? "main";
      if (opts.message) await git(dir, "tag", "-a", "-m", opts.message, tag, target);
      else await git(dir, "tag", tag, target);
      await git(dir, "push", "-q", "origin", `refs/tags/${tag}`);
      return git(dir, "rev-parse", `refs/tags/${tag}`);
    },
    async setHead(name, branch) {
      await git(bare(name), "symbolic-ref", "HEAD", `refs/heads/${branch}`);
    },
    revParse: (name, rev) => git(bare(name), "rev-parse", rev),
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(base, { recursive: true, force: true });
    },
  };
}
