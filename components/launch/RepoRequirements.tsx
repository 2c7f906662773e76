import type { ReactNode } from "react";

const code = "rounded bg-slate-100 px-1 py-px font-mono text-[0.8em] text-slate-800";

function Item({ title, children, icon }: { title: string; children: ReactNode; icon: ReactNode }) {
  return (
    <li className="flex gap-3">
      <span aria-hidden="true" className="mt-0.5 grid h-7 w-7 shrink-0 place-items-center rounded-lg bg-brand-50 text-brand-700 ring-1 ring-inset ring-brand-600/10">
        <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" className="h-4 w-4">
          {icon}
        </svg>
      </span>
      <div className="min-w-0 text-sm leading-relaxed text-slate-600">
        <h3 className="font-medium text-slate-900">{title}</h3>
        {children}
      </div>
    </li>
  );
}

function Runtime({ active, title, children }: { active: boolean; title: string; children: ReactNode }) {
  return (
    <div className={`rounded-xl border px-3.5 py-3 text-sm leading-relaxed ${active ? "border-brand-200 bg-brand-50/60 text-slate-700" : "border-slate-200 bg-white text-slate-500"}`}>
      <p className="flex flex-wrap items-center gap-2 font-medium text-slate-900">
        {title}
        {active ? <span className="rounded-full bg-brand-700 px-2 py-px text-[0.7rem] font-semibold text-white">This Berth</span> : null}
      </p>
      <p className="mt-1">{children}</p>
    </div>
  );
}

/** What makes a repository launchable, and what this Berth's runtime builds of it. */
export function RepoRequirements({ runtime }: { runtime: "local" | "kubernetes" }) {
  return (
    <section aria-labelledby="repo-needs-title" className="space-y-4">
      <h2 id="repo-needs-title" className="text-xs font-semibold uppercase tracking-wider text-slate-500">
        What a repository needs
      </h2>
      <ul className="space-y-4">
        <Item title="To be public" icon={<><circle cx="12" cy="12" r="9" /><path d="M3 12h18M12 3a14 14 0 0 1 0 18M12 3a14 14 0 0 0 0 18" /></>}>
          <p>Berth clones it without signing in anywhere. A private repository, or a host that asks for a password, cannot be launched.</p>
        </Item>
        <Item title="Configuration files, as repo2docker reads them" icon={<><path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z" /><path d="M14 3v5h5M9 13h6M9 17h4" /></>}>
          <p>
            <span className={code}>requirements.txt</span>, <span className={code}>environment.yml</span>, <span className={code}>runtime.txt</span>, <span className={code}>postBuild</span>,{" "}
            <span className={code}>apt.txt</span>, <span className={code}>install.R</span>, <span className={code}>Project.toml</span>, <span className={code}>Dockerfile</span>…
          </p>
          <p className="mt-1">
            Put them in a <span className={code}>binder/</span> or <span className={code}>.binder/</span> folder to keep the top level tidy: when that folder exists, only the files in it count.
          </p>
        </Item>
        <Item title="A dependencies file" icon={<><path d="M4 7h16M4 12h16M4 17h10" /></>}>
          <p>
            List what the notebooks import (<span className={code}>requirements.txt</span> for pip, <span className={code}>environment.yml</span> for conda), with versions pinned, so a
            later launch builds the same environment.
          </p>
        </Item>
      </ul>
      <div className="space-y-2">
        <Runtime active={runtime === "local"} title="Local runtime">
          Builds <span className={code}>requirements.txt</span>, <span className={code}>postBuild</span> and <span className={code}>runtime.txt</span> (a Python version this host has). A repository
          that needs conda, R, Julia, apt packages or a Dockerfile is refused, with the reason.
        </Runtime>
        <Runtime active={runtime === "kubernetes"} title="Kubernetes runtime">
          Builds an image with everything repo2docker supports: conda, R, Julia, apt packages, Dockerfiles and the rest.
        </Runtime>
      </div>
      <p className="text-xs leading-relaxed text-slate-500">Each commit is built once; launching it again, by anyone, starts from the finished build.</p>
    </section>
  );
}
