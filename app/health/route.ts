import { NextResponse } from "next/server";
import { z } from "zod";
import { route } from "@/lib/http/handler";
import { checkHealth, type CheckName } from "@/lib/ops/health";

export const dynamic = "force-dynamic";

// /health             every check: database, registry (when configured), cluster (on Kubernetes)
// /health?probe=ready the database only — the readiness probe: a registry or API server outage
//                     must not take every replica out of the Service (running notebooks still work)
// /health?probe=live  the process only — the liveness probe: restarting cannot fix a dependency
const query = z.object({ probe: z.enum(["live", "ready"]).optional() });

export const GET = route(async (req: Request) => {
  const { probe } = query.parse(Object.fromEntries(new URL(req.url).searchParams));
  const headers = { "cache-control": "no-store" };
  if (probe === "live") return NextResponse.json({ status: "ok", checks: {} }, { headers });
  const report = await checkHealth(probe === "ready" ? { only: ["database"] } : {});
  if (report.ok) return NextResponse.json({ status: "ok", checks: report.checks }, { headers });
  const failing = (Object.keys(report.checks) as CheckName[]).filter((n) => !report.checks[n]!.ok);
  const message = failing.map((n) => report.checks[n]!.message).join(" ");
  return NextResponse.json({ status: "unavailable", message, checks: report.checks }, { status: 503, headers });
});
