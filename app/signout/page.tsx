import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { AuthCard } from "@/components/auth/AuthCard";
import { SignOutButton } from "@/components/auth/SignOutButton";
import { currentUser } from "@/lib/auth/session";
import { safeRedirectPath } from "@/lib/http/safe-redirect";

export const metadata: Metadata = { title: "Sign in as someone else" };
export const dynamic = "force-dynamic";

// "Sign in as someone else" from a page that was not yours: signs out (on a click, so a link
// elsewhere cannot sign anyone out), then asks to sign in and returns to `next`.
export default async function SignOutPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = await searchParams;
  const next = safeRedirectPath(sp.next, "/servers");
  const signin = `/signin?callbackUrl=${encodeURIComponent(next)}`;
  const me = await currentUser();
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
        <Link href={next.startsWith("/user/") || next.startsWith("/spawn/") ? "/servers" : next} className="font-medium text-brand-700 underline underline-offset-2 hover:text-brand-800">
          Stay signed in as {me.name}
        </Link>
      }
    >
      <SignOutButton then={signin} label="Sign out and sign in again" />
    </AuthCard>
  );
}
