import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { AuthCard } from "@/components/auth/AuthCard";
import { SignOutButton } from "@/components/auth/SignOutButton";
import { currentUser } from "@/lib/auth/session";
import { safeRedirectPath } from "@/lib/http/safe-redirect";

export const metadata: Metadata = { title: "Sign out" };
export const dynamic = "force-dynamic";

const linkStyle = "font-medium text-brand-700 underline underline-offset-2 hover:text-brand-800";

// Two ways here, both signing out only on a click (a link elsewhere cannot sign anyone out):
// - "Sign in as someone else" from a page that was not yours (`next`): sign out, sign in, return;
// - Jupyter's Logout and the Berth bar's "Sign out" (`from`, the server's address; the proxy sends
//   <server>/logout here, lib/proxy/answer-here.ts): Jupyter's sign-in is Berth's, so this is
//   where a person signs out of their servers too.
export default async function SignOutPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = await searchParams;
  const me = await currentUser();
  const from = safeRedirectPath(sp.from, "");
  if (sp.next === undefined && sp.from !== undefined) {
    if (!me) redirect("/signin");
    return (
      <AuthCard
        title="Sign out of Berth?"
        subtitle={
          <>
            You are signed in as <span className="font-medium text-slate-800">{me.name}</span>. Your notebook servers use this sign-in, so signing out of Berth signs you out of them too.
          </>
        }
        footer={
          <span className="flex flex-wrap justify-center gap-x-4 gap-y-1">
            {from.startsWith("/user/") ? (
              // A plain link: the server's pages are not Next.js routes.
              <a href={from} className={linkStyle}>
                Stay signed in and go back
              </a>
            ) : null}
            <Link href="/servers" className={linkStyle}>
              My servers
            </Link>
          </span>
        }
      >
        <p className="mb-5 text-sm text-slate-600">Your servers keep running after you sign out, until you stop them or they stop for being idle. Their files are kept.</p>
        <SignOutButton then="/signin" label="Sign out" />
      </AuthCard>
    );
  }
  const next = safeRedirectPath(sp.next, "/servers");
  const signin = `/signin?callbackUrl=${encodeURIComponent(next)}`;
  if (!me) redirect(signin);
  return (
    <AuthCard
      title="Sign in as someone else"
      subtitle={
        <>
          You are signed in as <span className="font-medium text-slate-800">{me.name}</span>. Sign out, then sign in with the account that may open this page.
        </>
      }
      footer={
        <Link href={next.startsWith("/user/") || next.startsWith("/spawn/") ? "/servers" : next} className={linkStyle}>
          Stay signed in as {me.name}
        </Link>
      }
    >
      <SignOutButton then={signin} label="Sign out and sign in again" />
    </AuthCard>
  );
}
