import type { Scope } from "@/lib/auth/scopes";

/** A token's scopes as small labels; admin:* ones stand out. */
export function ScopeList({ scopes, className = "" }: { scopes: Scope[]; className?: string }) {
  if (scopes.length === 0) return <p className={`text-xs text-slate-500 ${className}`}>No scopes</p>;
  return (
    <ul aria-label="Scopes" className={`flex flex-wrap gap-1.5 ${className}`}>
      {scopes.map((s) => (
        <li key={s} className={`rounded-md px-1.5 py-0.5 font-mono text-xs ring-1 ring-inset ${s.startsWith("admin:") ? "bg-amber-50 text-amber-900 ring-amber-200" : "bg-slate-100 text-slate-700 ring-slate-200"}`}>
          {s}
        </li>
      ))}
    </ul>
  );
}
