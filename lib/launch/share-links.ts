import { z } from "zod";
import { config } from "../config";
import { db } from "../db/client";
import type { Actor } from "../auth/actor";
import { badgeSnippets, launchPath, launchUrl, parseLaunchInput, PROVIDERS, type BadgeSnippets, type OpenPath } from "./repo-spec";
import { suggestServerName } from "./suggest-name";

// What the launch form shows while a person types: the shareable launch link, the README badge,
// and a name for a new server. Nothing is fetched from the Git host here (the launch page
// resolves the ref), so this stays fast enough to call on every pause in typing.

export const shareLinksInput = z.object({
  repository: z.string().max(2048),
  ref: z.string().max(512).optional(),
  provider: z.enum(PROVIDERS).optional(),
  labpath: z.string().max(1024).optional(),
  filepath: z.string().max(1024).optional(),
  urlpath: z.string().max(1024).optional(),
});

export type ShareLinksInput = z.infer<typeof shareLinksInput>;

export interface ShareLinks {
  provider: string;
  spec: string;
  repo: string;
  ref: string;
  /** /v2/<provider>/<spec>?… — where the form's Launch button goes (plus &server=). */
  launchPath: string;
  launchUrl: string;
  badgeMarkdown: string;
  /** The badge in Markdown, reStructuredText and HTML, and the image's address (for a preview). */
  badge: BadgeSnippets;
  /** A free name for a new server, unique among the person's servers. */
  suggestedName: string;
}

export async function shareLinks(actor: Actor, input: ShareLinksInput): Promise<ShareLinks> {
  const c = config();
  const source = parseLaunchInput({ repository: input.repository, ref: input.ref, provider: input.provider }, c.launch.providers);
  const open: OpenPath = { labpath: input.labpath?.trim() || undefined, filepath: input.filepath?.trim() || undefined, urlpath: input.urlpath?.trim() || undefined };
  const taken = actor.id ? (await db().server.findMany({ where: { ownerId: actor.id }, select: { name: true } })).map((s) => s.name) : [];
  const badge = badgeSnippets(source, open, c.publicUrl);
  return {
    provider: source.provider,
    spec: source.spec,
    repo: source.repo,
    ref: source.ref,
    launchPath: launchPath(source, open),
    launchUrl: launchUrl(source, open, c.publicUrl),
    badgeMarkdown: badge.markdown,
    badge,
    suggestedName: suggestServerName(source.repo, c.policy.serverNameMaxLength, taken),
  };
}
