import type { Metadata } from "next";
import { SignInAsSomeoneElseLink } from "@/components/auth/SignInAsSomeoneElseLink";
import { lockIcon, MessageCard } from "@/components/ui/MessageCard";

export const metadata: Metadata = { title: "Not your server" };

// What forbidden() (next/navigation) renders, with HTTP 403: a page for someone else's server.
export default function Forbidden() {
  return (
    <MessageCard code="403" title="Not your server" tone="danger" icon={lockIcon} action={{ href: "/servers", label: "Go to my servers" }} secondary={<SignInAsSomeoneElseLink />}>
      You can only see and manage your own servers.
    </MessageCard>
  );
}
