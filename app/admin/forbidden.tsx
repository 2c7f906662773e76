import type { Metadata } from "next";
import { SignInAsSomeoneElseLink } from "@/components/auth/SignInAsSomeoneElseLink";
import { lockIcon, MessageCard } from "@/components/ui/MessageCard";

export const metadata: Metadata = { title: "Administrators only" };

// What forbidden() renders, with HTTP 403, for the operators' console.
export default function AdminForbidden() {
  return (
    <MessageCard code="403" title="Administrators only" tone="danger" icon={lockIcon} action={{ href: "/servers", label: "Go to my servers" }} secondary={<SignInAsSomeoneElseLink />}>
      The operators&rsquo; console is for Berth&rsquo;s administrators. If you need something changed, ask one of them.
    </MessageCard>
  );
}
