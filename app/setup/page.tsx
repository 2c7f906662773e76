import type { Metadata } from "next";
import Link from "next/link";
import { SetupForm } from "@/components/auth/SetupForm";
import { AuthCard } from "@/components/auth/AuthCard";
import { Alert } from "@/components/ui/Alert";
import { buttonStyles } from "@/components/ui/button-styles";
import { MIN_PASSWORD_LENGTH } from "@/lib/auth/password";
import { setupLinkValid } from "@/lib/auth/setup-admin";

export const metadata: Metadata = { title: "Set up Berth" };
export const dynamic = "force-dynamic";

export default async function SetupPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = await searchParams;
  const token = typeof sp.token === "string" ? sp.token : "";
  const valid = token ? await setupLinkValid(token) : false;
  return (
    <AuthCard
      title="Set up Berth"
      subtitle={
        <>
          Create the first administrator. Add more people later with <code className="rounded bg-slate-100 px-1 py-0.5 text-[0.8em] text-slate-800">npm run berth -- user add</code>.
        </>
      }
    >
      {valid ? (
        <SetupForm token={token} minPasswordLength={MIN_PASSWORD_LENGTH} />
      ) : token ? (
        <div className="space-y-4">
          <Alert tone="error" title="This setup link is no longer valid">
            It has already been used, or Berth has printed a newer one since. Sign in with the administrator account, or use the newest link from Berth&apos;s output.
          </Alert>
          <Link href="/signin" className={`${buttonStyles.primary} w-full`}>
            Go to sign in
          </Link>
        </div>
      ) : (
        <Alert tone="error" title="This page needs the setup link">
          Copy the whole link Berth printed when it started, including <code>?token=…</code>.
        </Alert>
      )}
    </AuthCard>
  );
}
