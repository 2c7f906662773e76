// The BinderHub event protocol (DESIGN.md §4), as @jupyterhub/binderhub-client consumes it: one
// `data: {json}` line per event, phases in order, the stream ending after `ready` or `failed`.

export type Phase = "waiting" | "fetching" | "building" | "built" | "launching" | "ready" | "failed";

export interface LaunchEvent {
  phase: Phase;
  message: string;
  /** built, ready */
  imageName?: string;
  /** ready: the server's address (absolute), and Berth's own open_url with the requested path */
  url?: string;
  open_url?: string;
  /** ready: BinderHub sends the Jupyter token; Berth's session authenticates, so it is empty. */
  token?: string;
  image?: string;
  repo_url?: string;
  binder_ref_url?: string;
  binder_launch_host?: string;
  binder_request?: string;
  binder_persistent_request?: string;
  /** ready: the server's name ("" for the default server) */
  server?: string;
  /** failed: where to manage servers, on a quota refusal */
  servers_url?: string;
  /** failed: the short code of the refusal */
  error?: string;
}

export const sseEvent = (e: LaunchEvent) => `data: ${JSON.stringify(e)}\n\n`;
export const SSE_KEEPALIVE = ":keepalive\n\n";
