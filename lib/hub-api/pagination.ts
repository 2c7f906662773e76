// JupyterHub 2.0+'s pagination: a client that sends this media type in Accept gets
// {items, _pagination}; any other client gets the bare list.
export const PAGINATION_MEDIA_TYPE = "application/jupyterhub-pagination+json";

export function paginatedModel<T>(items: T[], offset: number, limit: number, total: number, requestUrl: URL) {
  const nextOffset = offset + limit;
  let next: { offset: number; limit: number; url: string } | null = null;
  if (nextOffset < total) {
    const u = new URL(requestUrl);
    u.searchParams.set("offset", String(nextOffset));
    u.searchParams.set("limit", String(limit));
    next = { offset: nextOffset, limit, url: u.toString() };
  }
  return { items, _pagination: { offset, limit, total, next } };
}
