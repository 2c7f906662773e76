import { sessionActorFor } from "@/lib/auth/request-actor";
import { AppError } from "@/lib/errors";
import { route } from "@/lib/http/handler";
import { openServer, userServerAddress } from "@/lib/proxy/open-server";

// "Open anyway" on the warning page: records the administrator's acknowledgement for that one
// server (a signed cookie on its path, lib/proxy/admin-ack.ts) and continues to the address.
// Session only: it mints a browser cookie, which no API token may obtain.
export const POST = route(async (req: Request) => {
  await sessionActorFor(req);
  const form = await req.formData().catch(() => null);
  const next = userServerAddress(form?.get("next"));
  if (!next) throw new AppError("bad_request", "The address to open must be a path under /user/ on this site. Go back to the server list and open the server from there.");
  const r = await openServer(next, req.headers.get("cookie") ?? undefined);
  const headers = new Headers({ location: next, "cache-control": "no-store" });
  if (r.kind === "warn") headers.append("set-cookie", r.setCookie);
  return new Response(null, { status: 303, headers });
});
