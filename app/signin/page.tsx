import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthCard } from "@/components/auth/AuthCard";
import { SignInForm } from "@/components/auth/SignInForm";
import { Alert } from "@/components/ui/Alert";
import { signinModes } from "@/lib/auth/options";
import { awaitingSetup } from "@/lib/auth/setup-admin";
import { config } from "@/lib/config";
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
  // People land on Launch unless a link sent them to sign in on the way somewhere else.
  const callbackUrl = safeRedirectPath(sp.callbackUrl, "/");
  if (await currentUser()) redirect(callbackUrl);
  const error = typeof sp.error === "string" ? sp.error : undefined;
  const modes = signinModes();
  const beforeSetup = config().localAccounts && (await awaitingSetup());
  return (
    <AuthCard title="Sign in to Berth" subtitle={SUBTITLE[modes[0] ?? "local"]} footer={<>{modes[0] === "local" ? "No account yet? Ask an administrator to add you." : "Berth uses your Jira account; it never stores your password."}</>}>
      {beforeSetup ? (
        <div className="mb-5">
          <Alert tone="info" title="Berth has no accounts yet">
            Create the first administrator with the one-time setup link Berth printed when it started: it is in the terminal or log where Berth runs (<code>npm run up</code>), and looks like <code>/setup?token=…</code>.
          </Alert>
        </div>
      ) : null}
      <SignInForm callbackUrl={callbackUrl} initialError={error} modes={modes} />
    </AuthCard>
  );
}
