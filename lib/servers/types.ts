export function serverBaseUrl(user: string, name: string): string {
  return `/user/${encodeURIComponent(user)}/${name ? `${encodeURIComponent(name)}/` : ""}`;
}

export function serverLabel(name: string): string {
  return name === "" ? "My Server" : name;
}
