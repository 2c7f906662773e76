import type { Metadata } from "next";
import { cell, OpsTable, SectionTitle, utc } from "@/components/admin/ops/OpsTable";
import { Alert } from "@/components/ui/Alert";
import { adminPageActor } from "@/lib/auth/admin-page";
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
              <td className={`${cell} max-w-72`}>{p.description || <span className="text-slate-400">—</span>}</td>
              <td className={`${cell} tabular-nums`}>{p.cpu}</td>
              <td className={`${cell} tabular-nums`}>{p.memory}</td>
              <td className={`${cell} tabular-nums`}>{p.storage}</td>
              <td className={`${cell} max-w-56 break-all font-mono text-xs`}>{p.image ?? <span className="font-sans text-slate-400">Berth&rsquo;s default</span>}</td>
              <td className={cell}>Everyone</td>
              <td className={`${cell} tabular-nums`}>{servers}</td>
              <td className={`${cell} tabular-nums`}>{running}</td>
            </tr>
          ))}
        </OpsTable>
        <p className="mt-2 text-xs text-slate-500">Every signed-in person may choose every profile: Berth has no per-group profiles yet.</p>
      </section>
      {removed.length ? (
        <section aria-labelledby="removed-title">
          <SectionTitle id="removed-title">Profiles no longer configured</SectionTitle>
          <p className="mb-3 text-sm text-slate-600">These servers were made with a profile the file no longer has. They keep working, with the default profile&rsquo;s resources when they next start.</p>
          <OpsTable id="removed-table" caption="Profiles servers still record that are no longer configured" columns={["Profile", "Servers", "Running"]}>
            {removed.map((r) => (
              <tr key={r.slug}>
                <td className={`${cell} font-mono text-xs`}>{r.slug}</td>
                <td className={`${cell} tabular-nums`}>{r.servers}</td>
                <td className={`${cell} tabular-nums`}>{r.running}</td>
              </tr>
            ))}
          </OpsTable>
        </section>
      ) : null}
    </div>
  );
}
