"use client";

import { useEffect, useLayoutEffect, useRef } from "react";
import { CopyButton } from "./CopyButton";

/**
 * The build log: a scrollable monospace region that follows new lines unless the person has
 * scrolled up to read, with a Copy button for the whole text.
 */
export function BuildLog({ lines, id }: { lines: string[]; id: string }) {
  const ref = useRef<HTMLPreElement>(null);
  const follow = useRef(true);
  const text = lines.join("\n");

  useLayoutEffect(() => {
    const el = ref.current;
    if (el && follow.current) el.scrollTop = el.scrollHeight;
  }, [text]);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const onScroll = () => {
      follow.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 24;
    };
    el.addEventListener("scroll", onScroll, { passive: true });
    return () => el.removeEventListener("scroll", onScroll);
  }, []);

  return (
    <section aria-labelledby={`${id}-title`} className="overflow-hidden rounded-2xl border border-console-edge bg-console shadow-card">
      <div className="flex items-center justify-between gap-3 border-b border-console-edge px-4 py-2.5">
        <h2 id={`${id}-title`} className="text-sm font-medium text-console-text">
          Build log
          <span className="ml-2 text-xs font-normal text-console-muted">
            {lines.length} {lines.length === 1 ? "line" : "lines"}
          </span>
        </h2>
        <span className="[&_[role=status]]:text-console-ok">
          <CopyButton text={text} label="Copy log" disabled={lines.length === 0} />
        </span>
      </div>
      <pre
        ref={ref}
        id={id}
        role="log"
        aria-live="polite"
        aria-labelledby={`${id}-title`}
        tabIndex={0}
        className="h-80 overflow-auto whitespace-pre-wrap break-words px-4 py-3 font-mono text-[0.78rem] leading-relaxed text-console-text focus-visible:outline-offset-[-2px] sm:h-96"
      >
        {lines.length ? text : <span className="text-console-muted">The log appears here as soon as Berth starts working on the launch.</span>}
      </pre>
    </section>
  );
}
