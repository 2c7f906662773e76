import { config } from "../config";
import { db } from "../db/client";
import { AppError } from "../errors";
import { safeRedirectPath } from "../http/safe-redirect";
import { log } from "../log";
import { observeLaunch } from "../metrics";
import { runtime } from "../runtime";
import { createServer } from "../servers/create-server";
import { ensureDefaultServer } from "../servers/find-server";
import { recordEvent } from "../audit/record-event";
import { untilStartSettles } from "../servers/pending-starts";
import { resolveOwner } from "../servers/resolve-owner";
import { startServer } from "../servers/start-server";
import { stopServer } from "../servers/stop-server";
import type { Actor } from "../auth/actor";
import { serverBaseUrl, serverLabel } from "../servers/types";
import { checkBuildsConfigured } from "./builds/builder";
import { ensureBuilt } from "./builds/ensure-built";
import { chooseServer, type Target } from "./choose-server";
import type { LaunchEvent } from "./events";
import { openPath } from "./open-path";
import { prepareLaunch, type PreparedLaunch } from "./prepare-launch";
import { buildSpec, refUrl, type OpenPath } from "./repo-spec";
import { defaultRecord } from "../policy/profile-access";

// A launch, start to finish, as the BinderHub event stream tells it: resolve the ref → choose the
// server (refusing early when there is no room) → build once per commit (or find it built) →
// start the server on it → ready with where to go. Every refusal is a `failed` event whose
// message says what to do; nothing is created for a launch that is refused.

export interface LaunchOptions {
  /** undefined: choose automatically; "": the default server; else a named server. */
  server?: string;
  open: OpenPath;
  /** BinderHub's build_only: build (or find) the image, start nothing. */
  buildOnly?: boolean;
}

export async function launchRepository(actor: Actor, provider: string, spec: string, opts: LaunchOptions, emit: (e: LaunchEvent) => void, signal: AbortSignal): Promise<void> {
  const started = Date.now();
  // The metrics keep known provider ids only (anything else is "other"), so the raw one is safe.
  let providerLabel = provider;
  try {
    emit({ phase: "waiting", message: "Resolving the repository…\n" });
    checkBuildsConfigured();
    const prepared = await prepareLaunch(provider, spec);
    providerLabel = prepared.source.provider;
    const { source, commit } = prepared;
    emit({ phase: "fetching", message: `Found ${source.repo} at ${prepared.resolvedRef === commit ? commit : `${shortRef(prepared.resolvedRef)} (${commit.slice(0, 12)})`}.\n` });
    const owner = await resolveOwner(actor, actor.name);
    const target = opts.buildOnly ? undefined : await chooseServer(actor, owner, source, commit, opts.server);

    const { cached } = await ensureBuilt(
      { imageName: prepared.imageName, commit, fetchUrl: prepared.fetchUrl, provider: source.provider, repo: source.repo },
      actor.name,
      emit,
      signal,
    );
    emit({
      phase: "built",
      imageName: prepared.imageName,
      message: cached ? `Found built image ${prepared.imageName} (no build needed), launching…\n` : `Built image ${prepared.imageName}, launching…\n`,
    });
    if (!target) {
      // Counted as a launch of the repository (the console's launch counts and cache hits).
      await recordEvent(actor, { action: "launch", targetUser: owner.name, details: { provider: source.provider, repo: source.repo, commit, image: prepared.imageName, cached, buildOnly: true } });
      emit({ phase: "ready", message: "Built; not launching (build_only).\n", imageName: prepared.imageName });
      observeLaunch(providerLabel, "success", (Date.now() - started) / 1000);
      return;
    }
    if (signal.aborted) return;
    const name = await launchInto(actor, owner, target, prepared, opts, emit, signal);
    await recordEvent(actor, {
      action: "launch",
      targetUser: owner.name,
      serverName: name,
      details: { provider: source.provider, repo: source.repo, commit, image: prepared.imageName, cached },
    });
    const serverPath = serverBaseUrl(owner.name, name);
    const base = `${config().publicUrl}${serverPath}`;
    // The page follows open_url by itself: it must stay inside this server, whatever was asked.
    const opened = safeRedirectPath(`${serverPath}${openPath(opts.open, runtime().jupyterInterface())}`, serverPath, { within: serverPath });
    emit({
      phase: "ready",
      message: `${serverLabel(name)} is ready at ${base}\n`,
      url: base,
      open_url: `${config().publicUrl}${opened}`,
      token: "",
      image: prepared.imageName,
      repo_url: source.repoUrl,
      binder_ref_url: refUrl(source, commit),
      binder_launch_host: `${config().publicUrl}/`,
      binder_request: `v2/${source.provider}/${source.spec}`,
      binder_persistent_request: `v2/${source.provider}/${buildSpec(source.provider, source.repo, commit)}`,
      server: name,
    });
    observeLaunch(providerLabel, "success", (Date.now() - started) / 1000);
  } catch (err) {
    if (signal.aborted) return;
    const refused = err instanceof AppError && err.status < 500;
    observeLaunch(providerLabel, refused ? "refused" : "failure", (Date.now() - started) / 1000);
    if (!(err instanceof AppError)) log.error("launch failed", { provider, error: (err as Error).stack ?? String(err) });
    const message = err instanceof AppError ? err.message : "The launch failed because of an internal error. Try again; if it keeps happening, tell an administrator.";
    emit({
      phase: "failed",
      message: `${message}\n`,
      error: err instanceof AppError ? err.code : "internal",
      ...(err instanceof AppError && err.code === "quota_exceeded" ? { servers_url: "/servers" } : {}),
    });
  }
}

const shortRef = (ref: string) => ref.replace(/^refs\/(heads|tags)\//, "");

/** Creates or points the server at the build, (re)starts it as needed, and waits until it runs. */
async function launchInto(actor: Actor, owner: { id: string; name: string }, target: Target, prepared: PreparedLaunch, opts: LaunchOptions, emit: (e: LaunchEvent) => void, signal: AbortSignal): Promise<string> {
  const name = target.name;
  if (target.kind === "new") {
    emit({ phase: "launching", message: `Creating the server ${serverLabel(name)}…\n` });
    if (name === "") await ensureDefaultServer(owner.id, defaultRecord());
    else {
      try {
        await createServer(actor, owner.name, { name });
      } catch (err) {
        // Another tab created it meanwhile: launch into it.
        if (!(err instanceof AppError && err.code === "name_taken")) throw err;
      }
    }
  }
  const row = await db().server.findUniqueOrThrow({ where: { ownerId_name: { ownerId: owner.id, name } } });
  if (row.state === "deleting") throw new AppError("invalid_state", `${serverLabel(name)} is being deleted. Launch again once it is gone, or into another server.`);
  const image = prepared.imageName;
  const launch = { image, launchProvider: prepared.source.provider, launchSpec: prepared.source.spec, launchCommit: prepared.commit, launchPath: openPath(opts.open, "lab") || null };
  if ((row.state === "running" || row.state === "starting") && row.image === image) {
    emit({ phase: "launching", message: `${serverLabel(name)} already runs this commit; opening it.\n` });
  } else {
    if (row.state === "running" || row.state === "starting" || row.state === "stopping") {
      emit({ phase: "launching", message: `Stopping ${serverLabel(name)} to restart it on commit ${prepared.commit.slice(0, 12)} (its files are kept)…\n` });
      await stopServer(actor, owner.name, name, "relaunch");
      await waitUntil(row.id, (s) => s !== "stopping", signal);
    }
    await db().server.update({ where: { id: row.id }, data: launch });
    emit({ phase: "launching", message: `Starting ${serverLabel(name)}…\n` });
    await startServer(actor, owner.name, name);
  }
  await followStart(row.id, name, emit, signal);
  return name;
}

/** Relays the server's start progress until it runs; a failed start is the launch's failure. */
async function followStart(id: string, name: string, emit: (e: LaunchEvent) => void, signal: AbortSignal): Promise<void> {
  let last: string | null = null;
  for (;;) {
    if (signal.aborted) return;
    const s = await db().server.findUnique({ where: { id }, select: { state: true, progress: true, stateReason: true } });
    if (!s) throw new AppError("not_found", `${serverLabel(name)} was deleted while it was starting. Launch again.`);
    if (s.progress && s.progress !== last) {
      last = s.progress;
      emit({ phase: "launching", message: `${s.progress}\n` });
    }
    if (s.state === "running") return;
    if (s.state === "failed") throw new AppError("start_failed", `${serverLabel(name)} could not start: ${s.stateReason ?? "no reason given"}. Try again, or look at it on the My servers page.`);
    if (s.state === "deleting") throw new AppError("not_found", `${serverLabel(name)} was deleted while it was starting. Launch again.`);
    if (s.state === "stopped" || s.state === "stopping") throw new AppError("invalid_state", `${serverLabel(name)} was stopped while it was starting. Launch again.`);
    await untilStartSettles(id, 300, signal);
  }
}

async function waitUntil(id: string, ok: (state: string) => boolean, signal: AbortSignal): Promise<void> {
  for (let i = 0; i < 600 && !signal.aborted; i++) {
    const s = await db().server.findUnique({ where: { id }, select: { state: true } });
    if (!s || ok(s.state)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}
