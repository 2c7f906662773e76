import Link from "next/link";
import { Logo } from "./ui/Logo";
import { NavLink } from "./NavLink";
import { UserMenu } from "./UserMenu";

export function AppHeader({ user }: { user: { name: string; displayName: string | null; isAdmin: boolean } | null }) {
  return (
    <header className="sticky top-0 z-20 border-b border-slate-200/80 bg-white/80 backdrop-blur-md">
      <div className="mx-auto flex h-16 max-w-5xl items-center justify-between gap-3 px-4 sm:px-6">
        <div className="flex min-w-0 items-center gap-3 sm:gap-6">
          <Link href="/" className="-m-1 rounded-lg p-1" aria-label="Berth home">
            <Logo />
          </Link>
          {user ? (
            <nav aria-label="Main" className="flex items-center gap-1 [&_a]:whitespace-nowrap">
              <NavLink href="/">Launch</NavLink>
              <NavLink href="/servers">My servers</NavLink>
              {/* On a phone there is no room beside the account menu; the menu has it there. */}
              {user.isAdmin ? <span className="hidden sm:inline-flex"><NavLink href="/admin">Console</NavLink></span> : null}
            </nav>
          ) : null}
        </div>
        {user ? <UserMenu name={user.name} displayName={user.displayName} isAdmin={user.isAdmin} /> : null}
      </div>
    </header>
  );
}
