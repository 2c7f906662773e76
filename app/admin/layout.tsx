import type { Metadata } from "next";
import type { ReactNode } from "react";
import { AdminNav } from "@/components/admin/AdminNav";
import { currentUser } from "@/lib/auth/session";

export const metadata: Metadata = { title: { default: "Console", template: "%s · Console · Berth" } };
export const dynamic = "force-dynamic";

// The operators' console frame. Each page checks the visitor itself (lib/auth/admin-page.ts), so
// that someone who is not an administrator gets app/admin/forbidden.tsx with a 403, without the
// console's navigation around it.
export default async function AdminLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  if (!user?.isAdmin) return children;
  return (
    // Wider than the rest of Berth: the console's tables have many columns.
    <div className="relative left-1/2 w-screen max-w-7xl -translate-x-1/2 px-4 sm:px-6">
      <div className="mb-6 flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
        <div>
          <p className="text-xs font-semibold uppercase tracking-wider text-brand-700">Operators&rsquo; console</p>
          <p className="mt-1 text-sm text-slate-600">Everyone&rsquo;s users, servers, builds and tokens, and what happened to them.</p>
        </div>
      </div>
      <AdminNav />
      <div className="mt-6">{children}</div>
    </div>
  );
}
