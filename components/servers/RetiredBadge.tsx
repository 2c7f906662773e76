/** Beside a profile the administrators have removed: the server still starts with what it recorded. */
export function RetiredBadge() {
  return (
    <span
      className="mx-1 inline-flex items-center rounded-full bg-slate-100 px-1.5 py-px align-[1px] text-[0.7rem] font-medium text-slate-700 ring-1 ring-inset ring-slate-500/20"
      title="This profile is no longer offered. The server keeps the resources it was created with and can still be started."
      data-retired
    >
      retired
    </span>
  );
}
