import type { Metadata } from "next";
import { SetupForm } from "@/components/auth/SetupForm";
import { Alert } from "@/components/ui/Alert";
import { MIN_PASSWORD_LENGTH } from "@/lib/auth/password";

export const metadata: Metadata = { title: "Set up Berth" };

export default async function SetupPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = await searchParams;
  const token = typeof sp.token === "string" ? sp.token : "";
  return (
    <div className="mx-auto mt-8 max-w-sm">
      <div className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-xl font-semibold">Set up Berth</h1>
        <p className="mb-6 mt-1 text-sm text-slate-600">Create the first administrator. Add more people later with <code className="rounded bg-slate-100 px-1">npm run berth -- user add</code>.</p>
        {token ? <SetupForm token={token} minPasswordLength={MIN_PASSWORD_LENGTH} /> : <Alert tone="error">This page needs the setup link Berth printed when it started. Copy the whole link from Berth&apos;s output.</Alert>}
      </div>
    </div>
  );
}
