import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthCard } from "@/components/auth/AuthCard";
import { SignInForm } from "@/components/auth/SignInForm";
import { signinModes } from "@/lib/auth/options";
import { currentUser } from "@/lib/auth/session";
import { safeRedirectPath } from "@/lib/http/safe-redirect";
import type { SigninMode } from "@/lib/auth/signin-messages";

export const metadata: Metadata = { title: "Sign in" };

const SUBTITLE: Record<SigninMode, string> = {
  jira: "Sign in with your Jira username and password.",
  "jira-cloud": "Sign in with your Atlassian email address and a Jira API token.",
  local: "Sign in with your Berth username and password.",
};

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = await searchParams;
  // Only same-site paths may be a destination after sign-in (no open redirect).
  const callbackUrl = safeRedirectPath(sp.callbackUrl, "/servers");
  if (await currentUser()) redirect(callbackUrl);
  const error = typeof sp.error === "string" ? sp.error : undefined;
  const modes = signinModes();
  return (
    <AuthCard title="Sign in to Berth" subtitle={SUBTITLE[modes[0] ?? "local"]} footer={<>{modes[0] === "local" ? "No account yet? Ask an administrator to add you." : "Berth uses your Jira account; it never stores your password."}</>}>
      <SignInForm callbackUrl={callbackUrl} initialError={error} modes={modes} />
    </AuthCard>
  );
}
