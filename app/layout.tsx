import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { AppHeader } from "@/components/AppHeader";
import { currentUser } from "@/lib/auth/session";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Berth", template: "%s · Berth" },
  description: "Launch repositories into Jupyter and manage your notebook servers.",
};

// The browser chrome matches the page in either colour scheme.
export const viewport: Viewport = {
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#0f665f" },
    { media: "(prefers-color-scheme: dark)", color: "#0b1120" },
  ],
  width: "device-width",
  initialScale: 1,
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  return (
    <html lang="en">
      <body className="flex min-h-screen flex-col bg-slate-50 font-sans text-slate-900 antialiased">
        <div aria-hidden="true" className="pointer-events-none fixed inset-x-0 top-0 -z-10 h-80 bg-[radial-gradient(60rem_20rem_at_50%_-6rem,var(--color-brand-100),transparent)] opacity-70" />
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:fixed focus:left-3 focus:top-3 focus:z-50 focus:rounded-lg focus:bg-white focus:px-4 focus:py-2 focus:text-sm focus:font-medium focus:shadow-raised"
        >
          Skip to content
        </a>
        <AppHeader user={user ? { name: user.name, displayName: user.displayName, isAdmin: user.isAdmin } : null} />
        <main id="main" tabIndex={-1} className="mx-auto w-full max-w-5xl flex-1 px-4 py-8 outline-none sm:px-6 sm:py-10">
          {children}
        </main>
        <footer className="mx-auto w-full max-w-5xl px-4 pb-8 pt-4 text-xs text-slate-400 sm:px-6">
          <p>Berth · notebook servers for your team</p>
        </footer>
      </body>
    </html>
  );
}
