"use client";

import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";
import { Suspense } from "react";

// On a page that says "not yours": sign out (through /signout, which asks first) and come back to
// this same address signed in as another person.
export function SignInAsSomeoneElseLink() {
  return (
    <Suspense fallback={<SomeoneElse here={null} />}>
      <WithQuery />
    </Suspense>
  );
}

function WithQuery() {
  const q = useSearchParams().toString();
  return <SomeoneElse here={q ? `?${q}` : ""} />;
}

function SomeoneElse({ here }: { here: string | null }) {
  const pathname = usePathname();
  return (
    <Link href={`/signout?next=${encodeURIComponent(pathname + (here ?? ""))}`} className="font-medium text-brand-700 underline underline-offset-2 hover:text-brand-800">
      Sign in as someone else
    </Link>
  );
}
