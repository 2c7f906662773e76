import { BADGE_HEADERS, BADGE_SVG } from "@/lib/ops/badge";

// A folder named badge.svg is a route segment like any other (Next.js serves app/rss.xml/route.ts
// the same way), so the badge URL stays /badge.svg, as on a BinderHub.
export function GET() {
  return new Response(BADGE_SVG, { headers: BADGE_HEADERS });
}
