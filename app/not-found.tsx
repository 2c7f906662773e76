import type { Metadata } from "next";
import { MessageCard } from "@/components/ui/MessageCard";

export const metadata: Metadata = { title: "Not found" };

export default function NotFound() {
  return (
    <MessageCard code="404" title="Not found" action={{ href: "/servers", label: "Go to my servers" }}>
      There is nothing at this address. Check the link, or go back to your servers.
    </MessageCard>
  );
}
