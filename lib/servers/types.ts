/** Who is asking: the signed-in person, or the system (culler, reconciler). */
export interface Actor {
  id: string | null;
  name: string;
  isAdmin: boolean;
}

export const SYSTEM: Actor = { id: null, name: "berth", isAdmin: true };

export function serverBaseUrl(user: string, name: string): string {
  return `/user/${encodeURIComponent(user)}/${name ? `${encodeURIComponent(name)}/` : ""}`;
}

export function serverLabel(name: string): string {
  return name === "" ? "My Server" : name;
}
