import net from "node:net";

// Loopback ports for local servers. A port is found free by binding port 0 and closing it, then
// handed to Jupyter, which binds it a second or more later; meanwhile the kernel may give the same
// port to another caller of bind(0) — another server starting alongside, or any other program.
// Ports handed out and not yet settled are held here, so two starts in this process never get the
// same one; a port another program took is caught when Jupyter exits saying so (PORT_TAKEN), and
// the start tries another.

/** What Notebook 6 and Jupyter Server print when their port is not free. */
export const PORT_TAKEN = /port \d+ is (already in use|not available)|address already in use/i;

/** Jupyter exited at once because its port was taken: the start may try another port. */
export class PortTaken extends Error {}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export class PortPicker {
  private held = new Set<number>();

  /** A free port no other start in this process holds; give it back with release(). */
  async pick(): Promise<number> {
    for (let i = 0; i < 50; i++) {
      const port = await freePort();
      if (!this.held.has(port)) {
        this.held.add(port);
        return port;
      }
    }
    throw new Error("No free loopback port was found for the server.");
  }

  /** The start is over (Jupyter listens on it, or it ended): the port is the kernel's to track again. */
  release(port: number): void {
    this.held.delete(port);
  }
}
