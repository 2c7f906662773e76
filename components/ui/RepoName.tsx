import { Fragment } from "react";

// A repository as shown on a page (owner/repo, group/sub/project, or a whole clone address) may
// be longer than a phone is wide. It wraps between its parts: a line-break opportunity (<wbr>)
// after each "/" ("//" of a scheme stays whole), and each part an inline block, so a part that
// fits on a line moves down whole (the break comes at the slash, not at a hyphen inside a name)
// while one longer than the line still wraps inside it. Inline blocks do not take a link's
// underline from their parent, so they inherit it explicitly.
const PARTS = /(?<=\/)(?!\/)/;

/** `text` wrapping at its slashes; use inside a `break-words` box. */
export function RepoName({ text }: { text: string }) {
  const parts = text.split(PARTS);
  return (
    <>
      {parts.map((part, i) => (
        <Fragment key={i}>
          <span className="inline-block max-w-full [text-decoration:inherit]">{part}</span>
          {i < parts.length - 1 ? <wbr /> : null}
        </Fragment>
      ))}
    </>
  );
}
