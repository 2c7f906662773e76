import { Fragment } from "react";

// A repository as shown on a page (owner/repo, group/sub/project, or a whole clone address) may
// be longer than a phone is wide. Offering a line break after each "/" lets it wrap between its
// parts instead of running off the screen or breaking inside a name; "//" of a scheme stays whole.
const PARTS = /(?<=\/)(?!\/)/;

/** `text` with a line-break opportunity (<wbr>) after each slash; use inside a `break-words` box. */
export function RepoName({ text }: { text: string }) {
  const parts = text.split(PARTS);
  return (
    <>
      {parts.map((part, i) => (
        <Fragment key={i}>
          {part}
          {i < parts.length - 1 ? <wbr /> : null}
        </Fragment>
      ))}
    </>
  );
}
