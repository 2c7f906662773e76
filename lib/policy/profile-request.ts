// "Need another profile?" (BERTH_PROFILE_REQUEST_URL): the operator's request form, with the
// person's name and what they asked filled in where the address has {user} and {summary}. Each
// value is URL-encoded, so nothing a person types can change the address beyond its own parameter.
// Pure: the add-server form builds the link in the browser as the person types.

export const PROFILE_REQUEST_PLACEHOLDERS = ["{user}", "{summary}"] as const;

/** Does the template take what the person asks ({summary})? Without it the link opens the form as it is. */
export function takesSummary(template: string): boolean {
  return template.includes("{summary}");
}

export function profileRequestLink(template: string, user: string, summary: string): string {
  const text = summary.trim() || `A server profile for ${user}`;
  return template.replaceAll("{user}", encodeURIComponent(user)).replaceAll("{summary}", encodeURIComponent(text.slice(0, 500)));
}
