import { config } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { route } from "@/lib/http/handler";
import { collectMetrics, METRICS_CONTENT_TYPE } from "@/lib/metrics";
import { metricsAuthorized } from "@/lib/ops/metrics-auth";

export const dynamic = "force-dynamic";

export const GET = route(async (req: Request) => {
  if (!metricsAuthorized(req.headers.get("authorization"), config().metricsToken)) {
    throw new AppError(
      "unauthenticated",
      "Metrics need the scrape token: send the header “Authorization: Bearer <token>” with the value of BERTH_METRICS_TOKEN.",
      undefined,
      { "www-authenticate": 'Bearer realm="berth-metrics"', "cache-control": "no-store" },
    );
  }
  return new Response(await collectMetrics(), { headers: { "content-type": METRICS_CONTENT_TYPE, "cache-control": "no-store" } });
});
