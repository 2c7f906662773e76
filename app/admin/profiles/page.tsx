import type { Metadata } from "next";
import { cell, OpsTable, SectionTitle, utc } from "@/components/admin/ops/OpsTable";
import { Alert } from "@/components/ui/Alert";
import { adminPageActor } from "@/lib/auth/admin-page";
import type { ProfileOverrides } from "@/lib/config";
import { listProfileUsage } from "@/lib/policy/profile-usage";
import { CHECK_MS } from "@/lib/policy/profiles";

export const metadata: Metadata = { title: "Profiles" };
export const dynamic = "force-dynamic";

export default async function AdminProfilesPage() {
  await adminPageActor("/admin/profiles");
  const { profiles, removed, status } = await listProfileUsage();
  return (
    <div className="space-y-6">
      <h1 className="sr-only">Profiles</h1>
      {status.error ? (
        <Alert tone="error" title="The profiles file changed but cannot be used">
          <p>
            Berth keeps using the profiles below (read {utc(status.loadedAt.toISOString())}) until the file is fixed. Since {utc(status.error.at.toISOString())}:
          </p>
          <pre className="mt-1.5 whitespace-pre-wrap break-words font-mono text-xs">{status.error.message}</pre>
        </Alert>
      ) : null}
      <p className="text-sm text-slate-600">
        {status.file ? (
          <>
            From <code className="break-all font-mono text-[0.8rem]">{status.file}</code> (BERTH_PROFILES_FILE), read {utc(status.loadedAt.toISOString())}. Berth looks for changes every {CHECK_MS / 1000} seconds; an edit (or a ConfigMap update) applies without a restart.
          </>
        ) : (
          <>No profiles file is configured (BERTH_PROFILES_FILE), so everyone gets the one built-in profile from BERTH_CPU_LIMIT, BERTH_MEMORY_LIMIT and BERTH_STORAGE_LIMIT.</>
        )}
      </p>
      <section aria-labelledby="profiles-title">
        <SectionTitle id="profiles-title">Profiles ({profiles.length})</SectionTitle>
        <OpsTable id="profiles-table" caption="Configured profiles, their resources and the servers using them" columns={["Profile", "Description", "CPU", "Memory", "Storage", "Image", "Who may use it", "Servers", "Running"]}>
          {profiles.map(({ profile: p, servers, running }) => (
            <tr key={p.slug} data-profile={p.slug}>
              <td className={cell}>
                <span className="font-medium text-slate-900">{p.displayName}</span>
                {p.default ? <span className="ml-1.5 rounded-full bg-brand-50 px-2 py-0.5 text-xs font-medium text-brand-800 ring-1 ring-inset ring-brand-600/20">Default</span> : null}
                <p className="font-mono text-xs text-slate-500">{p.slug}</p>
              </td>
              <td className={`${cell} max-w-72`}>
                {p.description || (p.options ? null : <span className="text-slate-400">—</span>)}
                {Object.entries(p.options ?? {}).map(([key, o]) => (
                  <p key={key} className="mt-1 text-xs text-slate-600" data-option={key}>
                    <span className="font-medium text-slate-700">{o.displayName}:</span> {Object.entries(o.choices).map(([k, c]) => `${c.displayName}${(o.default ?? Object.keys(o.choices)[0]) === k ? " (default)" : ""}${overridesText(c.overrides)}`).join("; ")}
                  </p>
                ))}
              </td>
              <td className={`${cell} tabular-nums`}>{p.cpu}</td>
              <td className={`${cell} tabular-nums`}>{p.memory}</td>
              <td className={`${cell} tabular-nums`}>{p.storage}</td>
              <td className={`${cell} max-w-56 break-all font-mono text-xs`}>{p.image ?? <span className="font-sans text-slate-400">Berth&rsquo;s default</span>}</td>
              <td className={cell} data-who>
                {p.groups ? (p.groups.length ? <>Members of {p.groups.join(", ")}<span className="block text-xs text-slate-500">and administrators</span></> : "Administrators only") : "Everyone"}
              </td>
              <td className={`${cell} tabular-nums`}>{servers}</td>
              <td className={`${cell} tabular-nums`}>{running}</td>
            </tr>
          ))}
        </OpsTable>
        <p className="mt-2 text-xs text-slate-500">
          A profile with <code className="font-mono">groups</code> is offered only to members of one of them (Jira groups, read at each sign-in, or a local account&rsquo;s groups, set on the Users tab); administrators may use every profile. A server keeps the resources its profile had when it was created, whatever this file says later.
        </p>
      </section>
      {removed.length ? (
        <section aria-labelledby="removed-title">
          <SectionTitle id="removed-title">Retired profiles ({removed.length})</SectionTitle>
          <p className="mb-3 text-sm text-slate-600">
            Servers still use these profiles, which the file no longer has. They keep working: each starts with the resources recorded when it was created (servers made before Berth recorded profiles get the default profile&rsquo;s). No one can choose these profiles for a new server.
          </p>
          <OpsTable id="removed-table" caption="Retired profiles and the servers still using them" columns={["Profile", "Server", "State", "Recorded resources"]}>
            {removed.flatMap((r) =>
              r.list.map((s, i) => (
                <tr key={`${r.slug}/${s.owner}/${s.name}`} data-retired={r.slug}>
                  {i === 0 ? (
                    <td className={`${cell} align-top`} rowSpan={r.list.length}>
                      <span className="font-medium text-slate-900">{r.displayName}</span>
                      <span className="ml-1.5 rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-700 ring-1 ring-inset ring-slate-500/20">Retired</span>
                      <p className="font-mono text-xs text-slate-500">{r.slug}</p>
                      <p className="text-xs text-slate-500">
                        {r.servers} server{r.servers === 1 ? "" : "s"}, {r.running} running{r.servers > r.list.length ? ` (first ${r.list.length} shown)` : ""}
                      </p>
                    </td>
                  ) : null}
                  <td className={cell}>
                    <span className="font-medium">{s.owner}</span> / {s.label}
                  </td>
                  <td className={cell}>{s.state}</td>
                  <td className={`${cell} text-xs`}>
                    {s.recorded ? (
                      <>
                        {s.recorded.displayName}: {s.recorded.cpu} CPU, {s.recorded.memory} memory, {s.recorded.storage} storage
                        {s.recorded.image ? <span className="block break-all font-mono text-slate-500">{s.recorded.image}</span> : null}
                      </>
                    ) : (
                      <span className="text-slate-500">Not recorded: the default profile&rsquo;s at its next start</span>
                    )}
                  </td>
                </tr>
              )),
            )}
          </OpsTable>
        </section>
      ) : null}
    </div>
  );
}

function overridesText(o: ProfileOverrides): string {
  const parts = [o.cpu && `${o.cpu} CPU`, o.memory && `${o.memory} memory`, o.storage && `${o.storage} storage`, o.image && `image ${o.image}`].filter(Boolean);
  return parts.length ? ` (${parts.join(", ")})` : "";
}
