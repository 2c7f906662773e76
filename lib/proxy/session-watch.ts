import type { Duplex } from "node:stream";
import { config } from "../config";
import { log } from "../log";
import { shared } from "../shared";

// A WebSocket (a kernel's channels, a terminal) is authorised once, at its upgrade, and may stay
// open for hours. Open sockets are asked again as often as a session's answer may be stale, so
// sign-out, "sign out everywhere", removal and loss of administrator rights close connections
// already open within the same few seconds, not only new requests. The recheck reads the same
// caches as a request does: no database read per socket.

interface Watched {
  socket: Duplex;
  stillAllowed: () => Promise<boolean>;
}

const state = () => shared("watchedSockets", () => ({ sockets: new Set<Watched>(), timer: undefined as NodeJS.Timeout | undefined, sweeping: false }));

export function watchSocket(socket: Duplex, stillAllowed: () => Promise<boolean>): void {
  const s = state();
  const w = { socket, stillAllowed };
  s.sockets.add(w);
  socket.once("close", () => s.sockets.delete(w));
  if (!s.timer) {
    s.timer = setInterval(() => void sweep(), Math.max(1000, config().sessionCheckMs));
    s.timer.unref();
  }
}

async function sweep(): Promise<void> {
  const s = state();
  if (s.sweeping) return;
  s.sweeping = true;
  try {
    for (const w of [...s.sockets]) {
      // A check that fails (database unreachable) keeps the socket: an outage is not a sign-out.
      const allowed = await w.stillAllowed().catch(() => true);
      if (!allowed) {
        s.sockets.delete(w);
        log.info("closed a WebSocket whose session ended or lost access to the server");
        w.socket.destroy();
      }
    }
  } finally {
    s.sweeping = false;
    if (s.sockets.size === 0 && s.timer) {
      clearInterval(s.timer);
      s.timer = undefined;
    }
  }
}
