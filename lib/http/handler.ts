import { NextResponse } from "next/server";
import { ZodError } from "zod";
import { isTransactionTimeout } from "../db/transactions";
import { AppError } from "../errors";
import { log } from "../log";
import { refusal } from "./request-origin";

// The one wrapper that maps errors (DESIGN.md §6): AppError → its code's status (lib/errors.ts) and
// message, zod → 422 naming the fields, anything else → logged 500 with no internals in the body.
export function toErrorResponse(err: unknown): NextResponse {
  if (err instanceof AppError) {
    return NextResponse.json({ error: err.code, message: err.message, ...(err.details ?? {}) }, { status: err.status, headers: err.headers });
  }
  if (err instanceof ZodError) {
    const fields = err.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
    return NextResponse.json({ error: "invalid_input", message: `The request was not valid (${fields}). Correct it and try again.` }, { status: 422 });
  }
  if (isTransactionTimeout(err)) {
    return NextResponse.json({ error: "busy", message: "Berth is very busy right now and could not finish your request. Nothing was changed; try again in a moment." }, { status: 503, headers: { "retry-after": "5" } });
  }
  log.error("unhandled error in a route handler", { error: err instanceof Error ? err.stack : String(err) });
  return NextResponse.json({ error: "internal", message: "Something went wrong on our side. Try again; if it keeps happening, tell an administrator." }, { status: 500 });
}

export function route<Ctx>(fn: (req: Request, ctx: Ctx) => Promise<Response>) {
  return async (req: Request, ctx: Ctx): Promise<Response> => {
    // Changes must come from Berth's own pages, not other sites or notebook pages (request-origin.ts).
    const refused = refusal(req.method, req.headers);
    if (refused) return NextResponse.json(refused, { status: 403 });
    try {
      return await fn(req, ctx);
    } catch (err) {
      return toErrorResponse(err);
    }
  };
}

export async function jsonBody(req: Request): Promise<unknown> {
  try {
    return await req.json();
  } catch {
    throw new AppError("bad_request", "The request body must be JSON.");
  }
}
