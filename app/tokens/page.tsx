import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { TokensManager } from "@/components/tokens/TokensManager";
import { expandScopes, SCOPE_DESCRIPTIONS, scopesFor } from "@/lib/auth/scopes";
import { currentUser } from "@/lib/auth/session";
import { config } from "@/lib/config";
import { listTokens } from "@/lib/tokens/tokens";

export const metadata: Metadata = { title: "API tokens" };
export const dynamic = "force-dynamic";

export default async function TokensPage() {
  const user = await currentUser();
  if (!user) redirect("/signin?callbackUrl=/tokens");
  const actor = { id: user.id, name: user.name, isAdmin: user.isAdmin, scopes: expandScopes(scopesFor(user.isAdmin)) };
  const tokens = await listTokens(actor, user.name);
  // Only what the person may hold is offered: administrators also see admin:*.
  const scopeOptions = scopesFor(user.isAdmin).map((scope) => ({ scope, description: SCOPE_DESCRIPTIONS[scope] }));
  return <TokensManager user={user.name} initial={tokens} scopeOptions={scopeOptions} maxAgeSeconds={config().tokens.maxAgeSeconds} />;
}
