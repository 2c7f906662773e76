import { Fragment } from "react";

// A repository as shown on a page (owner/repo, group/sub/project, or a whole clone address) may
// be longer than a phone is wide. It wraps between its parts: a line-break opportunity (<wbr>)
// after each "/" ("//" of a scheme stays whole), and a short part kept whole, so the break comes
// at the slash rather than at a hyphen inside a name. "Short" fits a phone's line even in the
// largest type it is shown in (the launch page's heading); a longer part may still wrap inside.
// Inline spans only: a block-like part would make screen readers read the name in pieces.
const PARTS = /(?<=\/)(?!\/)/;
const KEEP_WHOLE = 20;

/** `text` wrapping at its slashes; use inside a `break-words` box. */
export function RepoName({ text }: { text: string }) {
  const parts = text.split(PARTS);
  return (
    <>
      {parts.map((part, i) => (
        <Fragment key={i}>
          {part.length <= KEEP_WHOLE ? <span className="whitespace-nowrap">{part}</span> : part}
          {i < parts.length - 1 ? <wbr /> : null}
        </Fragment>
      ))}
    </>
  );
}
