import { NextResponse } from "next/server";
import { actorFor } from "@/lib/auth/request-actor";
import { jsonBody, route } from "@/lib/http/handler";
import { shareLinks, shareLinksInput } from "@/lib/launch/share-links";

// The launch form's live preview: the shareable link and badge for what is typed so far, or 422
// with the reason the repository or ref cannot be read.
export const POST = route(async (req: Request) => {
  const actor = await actorFor(req, "read:servers");
  const input = shareLinksInput.parse(await jsonBody(req));
  return NextResponse.json(await shareLinks(actor, input), { headers: { "cache-control": "no-store" } });
});
