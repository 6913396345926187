/** A request URL cut at its first `?`: the path, and the query string without the `?` ('' when none). */
export function splitUrl(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  return q === -1 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
}

/** A URL without its query string: queries hold user ids and are never logged. */
export function pathOnly(url: string): string {
  return splitUrl(url).path;
}
