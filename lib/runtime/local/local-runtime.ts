import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { applyLimits, detectCgroups, releaseLimits, type CgroupMode } from "./cgroups";
import { diskUsage } from "./disk-usage";
import { hardenDataDir, NOT_ISOLATED_NOTE, ownDir, runningAsRoot } from "./isolation";
import { resolveJupyterCommand, type JupyterCommand } from "./jupyter-command";
import { JupyterProcess, sleep, type Proc } from "./jupyter-process";
import { prepareLaunchEnvironment, sourceMarker, type LaunchEnvironment } from "./launch-environment";
import { endGracefully, killAll, serverProcesses } from "./server-processes";
import { adoptedProc, recoverLeft } from "./adopt-servers";
import { LocalBuilder } from "./build/local-builder";
import { pruneUnusedBuilds } from "./build/prune-unused";
import { formatRef, maySignal, parseRef, pidExists, sameProcess, type ProcessRecord } from "./server-record";
import { PORT_TAKEN, PortPicker, PortTaken } from "./local-ports";
import { ServerUids } from "./server-uids";
import { serverIdentity } from "./server-identity";
import { noSpaceExplained, WorkspaceVolumes } from "./workspace-volume";
import { parseBytes } from "../../policy/quantity";
import { log } from "../../log";
import { StorageMeter, type StorageReading } from "../storage-meter";
import type { Builder, ExitListener, LeftServer, Recovered, ReconcileResult, Runtime, RuntimeCapabilities, ServerSpec, StartedServer } from "../types";

// The embedded default: a server is a Jupyter process on a free loopback port, in its own process
// group (so its kernels stop with it), working in a folder under the data directory. It runs in a
// session of its own and outlives Berth: the next Berth process takes it over (adopt-servers.ts).

export interface LocalRuntimeOptions {
  dataDir: string;
  jupyterCommand?: string;
  cgroupRoot: string;
  startTimeoutMs: number;
  /** PATH and locale of the host; nothing else of Berth's environment reaches user code */
  hostEnv: { PATH: string; LANG?: string };
  /** First uid of the range servers run under when Berth is root (see server-uids.ts). */
  uidBase: number;
  /** Host-wide uid claims shared by every Berth on the machine (lib/runtime/local/server-uids.ts). */
  uidClaimsDir?: string;
  /** Whether Berth runs as root, so servers can have uids of their own; injectable for tests. */
  asRoot?: boolean;
  /** How often a server taken over from an earlier Berth process is checked for being alive (not a child: no exit event). */
  livenessPollMs?: number;
  /** Stop every server at shutdown (BERTH_STOP_SERVERS_ON_SHUTDOWN) instead of leaving them for the next Berth process. */
  stopServersOnShutdown?: boolean;
}

const ID = /^[0-9a-f-]{36}$/;
export class LocalRuntime implements Runtime {
  readonly kind = "local" as const;
  /** Builds run in this process: any a Berth process left unfinished ended with it. */
  readonly buildsInProcess = true;
  readonly buildInfo = { image: "local: python venv", needsRegistry: false };
  get stopsServersOnShutdown(): boolean {
    return Boolean(this.opts.stopServersOnShutdown);
  }
  private procs = new Map<string, Proc>();
  private exitListeners: ExitListener[] = [];
  private cgroups: CgroupMode;
  /** Workspace sizes, walked in the background (a read never walks; see storage-meter.ts). */
  readonly storage = new StorageMeter({ measure: (id) => diskUsage(this.workspaceDir(id)), maxAgeMs: 30_000, concurrency: 2 });
  private ports = new PortPicker();
  /** Present when Berth is root: each server then runs under a uid of its own. */
  private uids: ServerUids | undefined;
  /** Each workspace a filesystem of its profile's size, when Berth is root (see workspace-volume.ts). */
  readonly volumes: WorkspaceVolumes;
  private localBuilder: LocalBuilder | undefined;

  constructor(private opts: LocalRuntimeOptions) {
    this.cgroups = detectCgroups(opts.cgroupRoot);
    const asRoot = opts.asRoot ?? runningAsRoot();
    this.volumes = new WorkspaceVolumes({ dataDir: opts.dataDir, asRoot, pathVar: opts.hostEnv.PATH });
    if (asRoot) {
      this.uids = new ServerUids(opts.dataDir, opts.uidBase, opts.uidClaimsDir);
      hardenDataDir(opts.dataDir);
    } else {
      log.warn(NOT_ISOLATED_NOTE, { dataDir: opts.dataDir });
    }
  }

  workspaceDir(serverId: string): string {
    if (!ID.test(serverId)) throw new Error(`Invalid server id ${serverId}`);
    return path.join(this.opts.dataDir, "workspaces", serverId);
  }

  private runtimeDir(serverId: string): string {
    return path.join(this.opts.dataDir, "runtime", serverId);
  }

  jupyterInterface(): "lab" | "notebook" {
    try {
      return resolveJupyterCommand(this.opts.jupyterCommand, this.opts.hostEnv.PATH).app === "ServerApp" ? "lab" : "notebook";
    } catch {
      return "lab";
    }
  }

  capabilities(): RuntimeCapabilities {
    const storageNote = this.volumes.note();
    const isolation = { ...(this.uids ? {} : { isolationNote: NOT_ISOLATED_NOTE }), ...(storageNote ? { storageNote } : {}) };
    if (this.cgroups.kind === "none") {
      return { limitsEnforced: false, limitsNote: `CPU and memory limits are not enforced on this host (${this.cgroups.why}).`, ...isolation };
    }
    return { limitsEnforced: true, ...isolation };
  }

  onUnexpectedExit(listener: ExitListener): void {
    this.exitListeners.push(listener);
  }

  async start(spec: ServerSpec, onProgress: (m: string) => void, signal: AbortSignal): Promise<StartedServer> {
    if (this.procs.has(spec.serverId)) await this.stop(spec.serverId);
    const hostCmd = resolveJupyterCommand(this.opts.jupyterCommand, this.opts.hostEnv.PATH);
    const home = this.workspaceDir(spec.serverId);
    const identity = await this.identity(spec.serverId);
    await this.volumes.attach(spec.serverId, home, parseBytes(spec.profile.storage), identity, onProgress);
    try {
      return await this.startAttached(spec, hostCmd, identity, onProgress, signal);
    } catch (err) {
      // A failed start leaves nothing mounted; the files stay in the server's filesystem.
      await this.volumes.detach(spec.serverId, home);
      throw err;
    }
  }

  private async startAttached(
    spec: ServerSpec,
    hostCmd: JupyterCommand,
    identity: { uid: number; gid: number } | undefined,
    onProgress: (m: string) => void,
    signal: AbortSignal,
  ): Promise<StartedServer> {
    const home = this.workspaceDir(spec.serverId);
    const runtimeDir = this.runtimeDir(spec.serverId);
    mkdirSync(home, { recursive: true });
    mkdirSync(runtimeDir, { recursive: true });
    const env = spec.environment
      ? await prepareLaunchEnvironment({ dataDir: this.opts.dataDir, commit: spec.environment.commit, workspace: home, hostCommand: hostCmd, configured: Boolean(this.opts.jupyterCommand), onProgress }).catch((err: unknown) => {
          throw noSpaceExplained(err, spec.profile.storage);
        })
      : undefined;
    // What Berth wrote as root (a launch's files) becomes the server's before it starts.
    if (identity) {
      ownDir(home, identity.uid, identity.gid, env?.copied);
      ownDir(runtimeDir, identity.uid, identity.gid);
    }
    const cmd = env?.command ?? hostCmd;
    // A port found free can be taken before Jupyter binds it (see local-ports.ts): Jupyter then
    // exits at once saying so, and the start tries another port.
    for (let attempt = 1; ; attempt++) {
      const port = await this.ports.pick();
      try {
        return await this.run(spec, { cmd, env, identity, home, runtimeDir, port }, onProgress, signal);
      } catch (err) {
        if (!(err instanceof PortTaken) || attempt >= 3) throw err;
        log.warn("a local server's port was taken before Jupyter bound it; trying another", { port });
      } finally {
        this.ports.release(port);
      }
    }
  }

  private async run(
    spec: ServerSpec,
    how: { cmd: JupyterCommand; env: LaunchEnvironment | undefined; identity: { uid: number; gid: number } | undefined; home: string; runtimeDir: string; port: number },
    onProgress: (m: string) => void,
    signal: AbortSignal,
  ): Promise<StartedServer> {
    const { cmd, env, port } = how;
    onProgress(`Starting ${cmd.app === "ServerApp" ? "JupyterLab" : "Jupyter Notebook"}${env ? " in the repository's environment" : ""}`);
    const jupyter = new JupyterProcess(spec, { ...how, dataDir: this.opts.dataDir, hostEnv: this.opts.hostEnv });
    const proc: Proc = {
      pid: jupyter.pid,
      stopping: false,
      detached: false,
      exited: jupyter.exited,
      releaseLimits: () => undefined,
      stderrTail: jupyter.stderrTail,
      detach: () => jupyter.detach(),
      exitInfo: () => jupyter.exitInfo ?? "unknown",
    };
    this.procs.set(spec.serverId, proc);

    const fail = async (reason: string): Promise<never> => {
      await this.stop(spec.serverId);
      throw new Error(reason);
    };

    if (jupyter.pid && this.cgroups.kind !== "none") {
      try {
        proc.releaseLimits = applyLimits(this.cgroups, spec.serverId, jupyter.pid, spec.profile.cpu, spec.profile.memory);
        onProgress(`Limited to ${spec.profile.cpu} CPU and ${spec.profile.memory} memory`);
      } catch (err) {
        this.cgroups = { kind: "none", why: `the host refused a cgroup write (${(err as Error).message})` };
      }
    }

    onProgress("Waiting for Jupyter to answer");
    const readiness = await jupyter.waitReady(`http://127.0.0.1:${port}${spec.baseUrl}api/status`, spec.token, Date.now() + this.opts.startTimeoutMs, signal);
    if (readiness === "cancelled") return fail("The start was cancelled.");
    if (readiness === "timeout") return fail(`Jupyter did not answer within ${Math.round(this.opts.startTimeoutMs / 1000)} s.`);
    if (readiness === "exited") {
      if (PORT_TAKEN.test(jupyter.stderrTail.join("\n"))) {
        // Not stop(): the workspace stays mounted for the next port.
        await this.stopProcesses(spec.serverId);
        throw new PortTaken(`port ${port} was taken`);
      }
      const tail = jupyter.stderrTail.slice(-5).join("\n");
      return fail(`Jupyter exited while starting (${jupyter.exitInfo}).${tail ? `\n${tail}` : ""}`);
    }

    this.watchExit(spec.serverId, proc);
    onProgress("Jupyter is ready");
    return { upstream: `http://127.0.0.1:${port}`, ref: formatRef(jupyter.pid!) };
  }

  /** From here on an exit nobody asked for is a crash the services must hear about. */
  private watchExit(serverId: string, proc: Proc): void {
    void proc.exited.then(() => {
      if (proc.detached) return;
      proc.releaseLimits();
      if (this.procs.get(serverId) === proc) this.procs.delete(serverId);
      if (!proc.stopping) {
        this.killLeftovers(serverId);
        const tail = proc.stderrTail.slice(-3).join("\n");
        const reason = `Jupyter stopped unexpectedly (${proc.exitInfo()}).${tail ? `\n${tail}` : ""}`;
        for (const l of this.exitListeners) l(serverId, reason);
      }
    });
  }

  async stop(serverId: string): Promise<void> {
    await this.stopProcesses(serverId);
    await this.volumes.detach(serverId, this.workspaceDir(serverId));
    // What Jupyter wrote until the end shows on the next read (measured in the background).
    this.storage.refresh(serverId);
  }

  private async stopProcesses(serverId: string): Promise<void> {
    const proc = this.procs.get(serverId);
    if (!proc) {
      await this.stopStartedElsewhere(serverId);
      return;
    }
    proc.stopping = true;
    const pid = proc.pid;
    const signalGroup = (sig: NodeJS.Signals) => {
      // A server taken over is not Berth's child: once it is gone its pid may name another process.
      if (!pid || (proc.rec && !sameProcess(proc.rec))) return;
      try {
        process.kill(-pid, sig);
      } catch {
        // already gone
      }
    };
    signalGroup("SIGTERM");
    const timedOut = await Promise.race([proc.exited.then(() => false), sleep(10_000).then(() => true)]);
    if (timedOut) signalGroup("SIGKILL");
    // Whatever is left in Jupyter's group, and kernels and their children outside it: none may
    // outlive Jupyter.
    signalGroup("SIGKILL");
    await proc.exited;
    this.killLeftovers(serverId);
    proc.releaseLimits();
    if (this.procs.get(serverId) === proc) this.procs.delete(serverId);
  }

  /** The server's own uid when Berth is root (see server-identity.ts); undefined otherwise. */
  private async identity(serverId: string): Promise<{ uid: number; gid: number } | undefined> {
    return this.uids && serverIdentity(this.uids, this.opts.dataDir, this.runtimeDir(serverId), serverId);
  }

  /**
   * Stops a server this process did not start: one the running Berth started, when this process
   * is the CLI (`berth server stop`), or one an earlier Berth left behind. It finds the server's
   * processes as killLeftovers does (its runtime folder in their environment, its uid), asks them
   * to end (SIGTERM: Jupyter shuts its kernels down) and, after 10 s, kills what is left. The Berth
   * that started it sees its child exit; the services have already moved the server out of
   * `running`, so that exit is not taken for a crash.
   */
  private async stopStartedElsewhere(serverId: string): Promise<void> {
    await endGracefully(() => this.serverPids(serverId), 10_000);
  }


  /**
   * Whether this process may signal the Jupyter whose pid is `ref`: false when it runs as another
   * user than the Berth that started it (the CLI without root while Berth is root). A stop from
   * here would then find nothing to end and leave the server running, so callers refuse instead.
   */
  canStop(ref: string | null): boolean {
    return maySignal(parseRef(ref));
  }

  /**
   * Ends every process still carrying this server's runtime folder (see server-processes.ts) and,
   * when it has a uid of its own, every process running as that uid.
   */
  private killLeftovers(serverId: string): void {
    killAll(() => this.serverPids(serverId));
  }

  private serverPids(serverId: string): number[] {
    return serverProcesses(this.runtimeDir(serverId), this.uids?.known(serverId));
  }


  async remove(serverId: string): Promise<void> {
    await this.stopProcesses(serverId);
    // Unmounted first (rmSync would stop at a mount point), then its image goes.
    await this.volumes.destroy(serverId, this.workspaceDir(serverId));
    rmSync(this.workspaceDir(serverId), { recursive: true, force: true });
    rmSync(sourceMarker(this.workspaceDir(serverId)), { force: true });
    rmSync(this.runtimeDir(serverId), { recursive: true, force: true });
    this.uids?.forget(serverId);
    this.storage.forget(serverId);
  }

  async isAlive(serverId: string, ref: string | null): Promise<boolean> {
    if (this.procs.has(serverId)) return true;
    // One this process does not follow (another Berth's, or the CLI asking): the recorded process.
    const rec = parseRef(ref);
    if (!rec) return false;
    return rec.startTime === undefined ? pidExists(rec.pid) : sameProcess(rec);
  }

  howEnded(): { failed: boolean; reason: string; note: string } {
    return { failed: false, reason: "Its Jupyter process was gone, so it was marked stopped; its files are kept. Start it again.", note: "running without its process → stopped" };
  }

  recover(left: LeftServer[]): Promise<Recovered[]> {
    return recoverLeft(
      left.filter((s) => ID.test(s.serverId)),
      { runtimeDir: (id) => this.runtimeDir(id), adopt: (id, rec) => this.adopt(id, rec), end: (id) => this.endLeftOver(id) },
    );
  }

  /** Follows a Jupyter an earlier Berth process started, as if this one had: stop, exit, limits. */
  private adopt(serverId: string, rec: ProcessRecord): void {
    const proc = adoptedProc(rec, this.opts.livenessPollMs ?? 2000, () => releaseLimits(this.cgroups, serverId));
    this.procs.set(serverId, proc);
    this.watchExit(serverId, proc);
  }

  /**
   * Ends what an earlier Berth process left of a server that is not kept: whatever carries the
   * server's runtime folder or uid (only Berth's servers do), never the recorded pid as such (it
   * may name another program's process by now); asked to end first (Jupyter shuts its kernels down).
   */
  private async endLeftOver(serverId: string): Promise<void> {
    await endGracefully(() => this.serverPids(serverId), 10_000);
    releaseLimits(this.cgroups, serverId);
    await this.volumes.detach(serverId, this.workspaceDir(serverId));
  }

  /** Nothing outlives its server here: stops and removals end every process of the server. */
  async reconcile(): Promise<ReconcileResult> {
    return { ended: [], storageDeleted: [], storagePending: [] };
  }

  /** Environments of launched commits no server uses any more, after BERTH_LOCAL_BUILD_KEEP_DAYS. */
  async housekeeping(): Promise<void> {
    await pruneUnusedBuilds();
  }

  async builder(): Promise<Builder> {
    this.localBuilder ??= new LocalBuilder();
    return this.localBuilder;
  }

  async storageUsed(serverId: string): Promise<number | undefined> {
    return this.volumes.usage(serverId, this.workspaceDir(serverId))?.used ?? this.storage.fresh(serverId);
  }

  /** From the server's filesystem when it has one (statfs or its superblock, at once); else the background walk's figure. */
  storageUsage(serverId: string): StorageReading {
    const volume = this.volumes.usage(serverId, this.workspaceDir(serverId));
    if (volume) return { bytes: volume.used, capacity: volume.capacity, measuring: false, at: Date.now() };
    return this.storage.read(serverId);
  }

  /** Servers keep running while Berth restarts: stop following them (the next process takes them over). */
  async shutdown(): Promise<void> {
    if (this.opts.stopServersOnShutdown) {
      // The servers stopped here are unmounted too.
      await Promise.all(
        [...this.procs.keys()].map(async (id) => {
          await this.stopProcesses(id);
          await this.volumes.detach(id, this.workspaceDir(id));
        }),
      );
      return;
    }
    // Left running, mounted: the next process finds their mounts in the kernel's table.
    for (const proc of this.procs.values()) {
      proc.detached = true;
      proc.detach();
    }
    this.procs.clear();
  }
}
