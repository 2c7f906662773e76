import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthCard } from "@/components/auth/AuthCard";
import { SignInForm } from "@/components/auth/SignInForm";
import { currentUser } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Sign in" };

// Only same-site paths may be a destination after sign-in (no open redirect).
function safeCallback(raw: string | string[] | undefined): string {
  const v = Array.isArray(raw) ? raw[0] : raw;
  return v && v.startsWith("/") && !v.startsWith("//") && !v.startsWith("/\\") ? v : "/servers";
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = await searchParams;
  const callbackUrl = safeCallback(sp.callbackUrl);
  if (await currentUser()) redirect(callbackUrl);
  const error = typeof sp.error === "string" ? sp.error : undefined;
  return (
    <AuthCard title="Sign in to Berth" subtitle="Your notebook servers, one sign-in away." footer={<>No account yet? Ask an administrator to add you.</>}>
      <SignInForm callbackUrl={callbackUrl} initialError={error} />
    </AuthCard>
  );
}
