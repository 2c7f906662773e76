// The mark: a hull resting at a quay, drawn to read at 24 px.
export function LogoMark({ className = "h-8 w-8" }: { className?: string }) {
  return (
    <span aria-hidden="true" className={`grid shrink-0 place-items-center rounded-lg bg-gradient-to-br from-brand-500 to-brand-800 text-white shadow-sm ring-1 ring-inset ring-white/20 ${className}`}>
      <svg viewBox="0 0 24 24" className="h-[62%] w-[62%]" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
        <path d="M12 3v10" />
        <path d="M12 4.5 17.5 11H12" />
        <path d="M3.5 14.5h17l-2.2 4.2a1.5 1.5 0 0 1-1.33.8H7.03a1.5 1.5 0 0 1-1.33-.8L3.5 14.5Z" />
      </svg>
    </span>
  );
}

export function Logo() {
  return (
    <span className="flex items-center gap-2.5">
      <LogoMark />
      <span className="text-[1.05rem] font-semibold tracking-tight text-slate-900">Berth</span>
    </span>
  );
}
