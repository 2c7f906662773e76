// Container logs the simulator writes for build pods, kept in memory per pod name (the newest
// pod of that name wins, as on a kubelet) and served by the kubelet endpoint (kubelet-server.ts).

export interface LogEntry {
  time: Date;
  text: string;
}

export interface ContainerLog {
  entries: LogEntry[];
  ended: boolean;
  listeners: Set<() => void>;
}

export class LogStore {
  private pods = new Map<string, { uid: string; containers: Map<string, ContainerLog> }>();

  private container(ns: string, pod: string, uid: string, container: string): ContainerLog | undefined {
    const key = `${ns}/${pod}`;
    let p = this.pods.get(key);
    if (!p || p.uid !== uid) {
      // A new pod of this name: the old one's followers hear the end.
      if (p) for (const c of p.containers.values()) this.finish(c);
      p = { uid, containers: new Map() };
      this.pods.set(key, p);
    }
    let c = p.containers.get(container);
    if (!c) {
      c = { entries: [], ended: false, listeners: new Set() };
      p.containers.set(container, c);
    }
    return c;
  }

  private finish(c: ContainerLog) {
    c.ended = true;
    for (const l of c.listeners) l();
  }

  /** The container started: its log exists (empty) from now on. */
  start(ns: string, pod: string, uid: string, container: string): void {
    this.container(ns, pod, uid, container);
  }

  append(ns: string, pod: string, uid: string, container: string, line: string): void {
    const c = this.container(ns, pod, uid, container)!;
    if (c.ended) return;
    c.entries.push({ time: new Date(), text: `${line}\n` });
    for (const l of c.listeners) l();
  }

  /** The container ended (or the pod went): followers' streams end. */
  end(ns: string, pod: string, uid: string, container?: string): void {
    const p = this.pods.get(`${ns}/${pod}`);
    if (!p || p.uid !== uid) return;
    for (const [name, c] of p.containers) if (!container || name === container) this.finish(c);
  }

  get(ns: string, pod: string, container: string): ContainerLog | undefined {
    return this.pods.get(`${ns}/${pod}`)?.containers.get(container);
  }

  /** Ends every log (the simulator stops). */
  endAll(): void {
    for (const p of this.pods.values()) for (const c of p.containers.values()) this.finish(c);
  }
}
