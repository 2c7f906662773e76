import type { IncomingMessage } from "node:http";

// The custom server stamps every request with the client's address under this header (replacing
// any the client sent), so sign-in rate limits count real addresses, not spoofed headers.
export const clientAddressHeader = "x-berth-client-address";

export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const xff = req.headers["x-forwarded-for"];
    const first = (Array.isArray(xff) ? xff[0] : xff)?.split(",")[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? "unknown";
}
