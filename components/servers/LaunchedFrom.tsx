import type { ServerView } from "@/lib/servers/list-servers";
import { RepoName } from "../ui/RepoName";

/** "From <repository> at <commit>", linking to a launch of the repository again; on cards and table rows. */
export function LaunchedFrom({ from, className }: { from: NonNullable<ServerView["launchedFrom"]>; className: string }) {
  return (
    <span className={className}>
      From{" "}
      <a href={from.launchPath} className="font-medium text-brand-700 underline decoration-brand-300 underline-offset-2 hover:decoration-brand-600" title="Launch this repository again (the latest commit of its ref)">
        <RepoName text={from.repo} />
      </a>{" "}
      at <code className="font-mono">{from.commit.slice(0, 7)}</code>
    </span>
  );
}
