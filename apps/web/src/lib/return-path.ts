/** Only same-app paths are followed after login, never another origin (`//evil.example`). */
export function safeReturnPath(value: string | null | undefined): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/tickets';
  if (value.startsWith('/login')) return '/tickets';
  return value;
}

export function loginPathFor(location: { pathname: string; search: string }): string {
  return `/login?returnTo=${encodeURIComponent(location.pathname + location.search)}`;
}
