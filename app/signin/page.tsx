import type { Metadata } from "next";
import { redirect } from "next/navigation";
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
    <div className="mx-auto mt-8 max-w-sm">
      <div className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-xl font-semibold">Sign in to Berth</h1>
        <p className="mb-6 mt-1 text-sm text-slate-600">Sign in with your Berth username and password.</p>
        <SignInForm callbackUrl={callbackUrl} initialError={error} />
      </div>
      <p className="mt-4 text-center text-xs text-slate-500">No account? Ask an administrator to add you.</p>
    </div>
  );
}
