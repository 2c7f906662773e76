"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

export const ADMIN_TABS = [
  { href: "/admin", label: "Users" },
  { href: "/admin/servers", label: "Servers" },
  { href: "/admin/builds", label: "Builds" },
  { href: "/admin/audit", label: "Audit" },
  { href: "/admin/profiles", label: "Profiles" },
  { href: "/admin/tokens", label: "Tokens" },
] as const;

export function AdminNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Console" className="-mx-4 overflow-x-auto border-b border-slate-200 px-4 sm:mx-0 sm:px-0">
      <ul className="flex min-w-max gap-1">
        {ADMIN_TABS.map((t) => {
          const active = t.href === "/admin" ? pathname === "/admin" : pathname === t.href || pathname.startsWith(`${t.href}/`);
          return (
            <li key={t.href}>
              <Link
                href={t.href}
                aria-current={active ? "page" : undefined}
                className={`-mb-px inline-block border-b-2 px-3 py-2 text-sm font-medium transition-colors focus-visible:rounded-t-md ${active ? "border-brand-600 text-brand-800" : "border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-900"}`}
              >
                {t.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
