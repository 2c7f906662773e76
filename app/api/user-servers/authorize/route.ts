import { toErrorResponse } from "@/lib/http/handler";
import { AppError } from "@/lib/errors";
import { pageHtml } from "@/lib/proxy/pages";
import { authorizeUserHost } from "@/lib/user-hosts/authorize";

export const dynamic = "force-dynamic";

const TITLES: Record<number, string> = { 400: "This link cannot be used", 403: "Not your server", 404: "Not found" };

// Only ever reached by a browser sent here from a person's server host, so refusals are pages.
export async function GET(req: Request): Promise<Response> {
  try {
    const answer = await authorizeUserHost(new URL(req.url).searchParams, req.headers.get("cookie"));
    return new Response(null, { status: 302, headers: { location: answer.location, "cache-control": "no-store", "referrer-policy": "no-referrer" } });
  } catch (err) {
    if (!(err instanceof AppError)) return toErrorResponse(err);
    const html = pageHtml(err.status, TITLES[err.status] ?? "Cannot open this server", err.message, { href: "/servers", text: "Go to my servers" });
    return new Response(html, { status: err.status, headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" } });
  }
}
