import { NextResponse } from "next/server";
import { ZodError } from "zod";
import { isTransactionTimeout } from "../db/transactions";
import { AppError } from "../errors";
import { log } from "../log";
import { refusal } from "../http/request-origin";

// /hub/api answers errors as JupyterHub does: `{"status": n, "message": "..."}` with JupyterHub's
// status codes. Berth's services refuse with their own codes (DESIGN.md §6); this maps them:
// - input the services call 422 (a bad name or profile), or a conflict (409), is 400 in JupyterHub;
// - over the named-server limit is 400 in JupyterHub (Berth's own API says 403);
// - no credentials, or a token that is not valid: JupyterHub answers 403 for both.

export function hubError(status: number, message: string): NextResponse {
  return NextResponse.json({ status, message }, { status, headers: { "cache-control": "no-store" } });
}

export function hubStatus(err: AppError): number {
  if (err.status === 422 || err.status === 409) return 400;
  if (err.code === "quota_exceeded") return 400;
  if (err.code === "unauthenticated") return 403;
  return err.status;
}

export function toHubErrorResponse(err: unknown): NextResponse {
  if (err instanceof AppError) return hubError(hubStatus(err), err.message);
  if (err instanceof ZodError) {
    const fields = err.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
    return hubError(400, `The request was not valid (${fields}). Correct it and try again.`);
  }
  if (isTransactionTimeout(err)) return hubError(503, "Berth is very busy right now and could not finish your request. Nothing was changed; try again in a moment.");
  log.error("unhandled error in a /hub/api handler", { error: err instanceof Error ? err.stack : String(err) });
  return hubError(500, "Something went wrong on our side. Try again; if it keeps happening, tell an administrator.");
}

/** route() for /hub/api: the same origin rules, JupyterHub's error bodies. */
export function hubRoute<Ctx>(fn: (req: Request, ctx: Ctx) => Promise<Response>) {
  return async (req: Request, ctx: Ctx): Promise<Response> => {
    const refused = refusal(req.method, req.headers);
    if (refused) return hubError(403, refused.message);
    try {
      return await fn(req, ctx);
    } catch (err) {
      return toHubErrorResponse(err);
    }
  };
}

/** The JSON body, or null when there is none (JupyterHub's get_json_body). */
export async function hubJsonBody(req: Request): Promise<unknown> {
  const text = (await req.text()).trim();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("bad_request", "Invalid JSON in body of request");
  }
}

export const hubJson = (data: unknown, status = 200) => NextResponse.json(data, { status, headers: { "cache-control": "no-store" } });
export const hubEmpty = (status: number) => new NextResponse(null, { status });
