// The named-server limit's refusal (DESIGN.md §1), written once for the API, the My servers page
// and both launch pages: which policy, and what the person can do where they are.

/** What the page the person is on lets them do instead of adding a server. */
export type LimitAdvice = "create" | "launch" | "relaunch";

export function namedServerLimitMessage(names: readonly string[], limit: number, advice: LimitAdvice = "create"): string {
  const policy = `You have ${names.length} named servers, the most allowed (${limit}, plus your default server; stopped servers count too).`;
  // An operator may allow none at all: then only the default server is left to use.
  if (names.length === 0) return `${policy} Use your default server instead.`;
  const list = names.join(", ");
  if (advice === "launch") return `${policy} Launch into one of them, or delete one you no longer need on My servers (${list}).`;
  if (advice === "relaunch") return `${policy} Restart one of them instead, or delete one on My servers.`;
  return `${policy} Delete one you no longer need, or reuse one of: ${list}.`;
}
