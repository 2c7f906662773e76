"use client";

import { useEffect, useState } from "react";
import { BuildLog } from "@/components/launch/BuildLog";
import { Alert } from "@/components/ui/Alert";

const END_TITLES: Record<string, string> = { built: "The build finished", failed: "The build failed", cancelled: "The build was cancelled", gone: "The build is gone" };

type LogEvent = { append: string; reset?: boolean } | { end: string; message: string | null };

/**
 * A build's log, live while it runs: /api/admin/builds/<id>/log streams what the replica running
 * the build writes to its row, shown in the launch page's log view.
 */
export function LiveBuildLog({ id }: { id: string }) {
  const [text, setText] = useState("");
  const [end, setEnd] = useState<{ end: string; message: string | null } | null>(null);
  const [lost, setLost] = useState(false);
  useEffect(() => {
    const source = new EventSource(`/api/admin/builds/${id}/log`);
    source.onmessage = (m) => {
      const e = JSON.parse(m.data as string) as LogEvent;
      if ("append" in e) setText((t) => (e.reset ? e.append : t + e.append));
      else {
        setEnd(e);
        source.close();
      }
    };
    source.onerror = () => {
      // EventSource reconnects by itself; say so only if it gave up.
      if (source.readyState === EventSource.CLOSED) setLost(true);
    };
    return () => source.close();
  }, [id]);
  const lines = text ? text.split("\n") : [];
  return (
    <div className="space-y-2">
      <BuildLog lines={lines} id={`build-log-${id}`} />
      {end ? (
        <Alert tone={end.end === "built" ? "success" : end.end === "cancelled" ? "warn" : "error"} title={END_TITLES[end.end] ?? "The build ended"}>
          {end.message}
        </Alert>
      ) : null}
      {lost ? <Alert tone="error">The connection to Berth was lost; reload the page to follow this build again.</Alert> : null}
    </div>
  );
}
