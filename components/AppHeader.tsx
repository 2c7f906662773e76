import Link from "next/link";
import { UserMenu } from "./UserMenu";

export function AppHeader({ user }: { user: { name: string; displayName: string | null; isAdmin: boolean } | null }) {
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex h-14 max-w-5xl items-center justify-between gap-4 px-4 sm:px-6">
        <Link href="/" className="flex items-center gap-2 font-semibold text-slate-900">
          <svg aria-hidden="true" viewBox="0 0 24 24" className="h-6 w-6 text-brand-700" fill="none" stroke="currentColor" strokeWidth="2">
            <path d="M3 17h18l-2 4H5l-2-4Z" />
            <path d="M12 3v11M12 3l6 8h-6M12 6l-5 5h5" />
          </svg>
          Berth
        </Link>
        {user ? (
          <nav aria-label="Main" className="flex items-center gap-1 sm:gap-4">
            <Link href="/servers" className="rounded px-2 py-1 text-sm font-medium text-slate-700 hover:bg-slate-100 hover:text-slate-900">
              My servers
            </Link>
            <UserMenu name={user.name} displayName={user.displayName} isAdmin={user.isAdmin} />
          </nav>
        ) : null}
      </div>
    </header>
  );
}
