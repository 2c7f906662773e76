export function checkUserName(name: string): string | undefined {
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(name)) {
    return "Use 1–64 characters: lowercase letters, digits, dots, underscores and hyphens, starting with a letter or digit.";
  }
  return undefined;
}
