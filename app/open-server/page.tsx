import type { Metadata } from "next";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { MessageCard } from "@/components/ui/MessageCard";
import { buttonStyles } from "@/components/ui/button-styles";
import { currentUser } from "@/lib/auth/session";
import { ACK_TTL_SECONDS } from "@/lib/proxy/admin-ack";
import { openServer, userServerAddress } from "@/lib/proxy/open-server";
import { IconBadge } from "@/components/ui/IconBadge";

export const metadata: Metadata = { title: "Open someone else's server?" };
export const dynamic = "force-dynamic";

// Where the proxy sends an administrator who opens a server that is not theirs (lib/proxy/admin-ack.ts).
// The owner, and an administrator who has confirmed for this server, go straight on.
export default async function OpenServerPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = await searchParams;
  const next = userServerAddress(sp.next);
  if (!next) {
    return (
      <MessageCard code="400" title="Nothing to open" action={{ href: "/servers", label: "Go to my servers" }}>
        This link does not name a notebook server. Open servers from the server list.
      </MessageCard>
    );
  }
  const me = await currentUser();
  if (!me) redirect(`/signin?callbackUrl=${encodeURIComponent(next)}`);
  const r = await openServer(next, (await headers()).get("cookie") ?? undefined);
  if (r.kind === "continue") redirect(next);

  const which = r.server ? (
    <>
      the server <strong className="font-semibold text-slate-900">{r.server}</strong> of <strong className="font-semibold text-slate-900">{r.owner}</strong>
    </>
  ) : (
    <>
      the default server of <strong className="font-semibold text-slate-900">{r.owner}</strong>
    </>
  );
  return (
    <div className="mx-auto w-full max-w-lg pt-4 sm:pt-12">
      <section aria-labelledby="open-title" className="rounded-2xl border border-slate-200/80 bg-white px-6 py-10 shadow-card sm:px-10">
        <IconBadge tone="amber" className="mx-auto">
          <path d="M10.3 4.2 2.7 17.5A2 2 0 0 0 4.4 20.5h15.2a2 2 0 0 0 1.7-3L13.7 4.2a2 2 0 0 0-3.4 0Z" />
          <path d="M12 9.5v4M12 17h.01" />
        </IconBadge>
        <h1 id="open-title" className="mt-4 text-center text-xl font-semibold tracking-tight text-slate-900">
          Open {r.owner}&apos;s server?
        </h1>
        <div className="mt-3 space-y-3 text-sm leading-relaxed text-slate-600">
          <p>You are about to open {which}. It is not yours: you can open it because you are an administrator.</p>
          <p>
            Code in this server (its notebooks, extensions and anything its owner put there) runs in this browser with <strong className="font-semibold text-slate-900">your administrator rights</strong> on Berth. It could start, stop or
            delete servers and act as you. Open it only if you trust what is in it.
          </p>
          <p className="text-xs text-slate-500">Berth serves notebook servers on its own address. An operator can give each person&apos;s servers an address of their own (per-user hosts), which removes this risk.</p>
        </div>
        <form method="post" action="/api/open-server" className="mt-6 flex flex-col-reverse gap-3 sm:flex-row sm:justify-end">
          <input type="hidden" name="next" value={next} />
          <a href="/servers" className={buttonStyles.secondary}>
            Back
          </a>
          <button type="submit" className={buttonStyles.primary}>
            Open anyway
          </button>
        </form>
        <p className="mt-4 text-center text-xs text-slate-400">
          Berth asks again after {ACK_TTL_SECONDS / 60} minutes, and for each server.
        </p>
      </section>
    </div>
  );
}
