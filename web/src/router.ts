/** Hash routes: `#/overview`, `#/calls`, `#/calls/<sid>`, `#/group-calls`, `#/group-calls/<sid>`, `#/quarantine`, `#/lifecycle`, `#/relay`, each with `?params`. */
export type Route =
  | { page: 'overview'; params: URLSearchParams }
  | { page: 'calls'; params: URLSearchParams }
  | { page: 'call'; sid: string; params: URLSearchParams }
  | { page: 'group-calls'; params: URLSearchParams }
  | { page: 'group-call'; sid: string; params: URLSearchParams }
  | { page: 'quarantine'; params: URLSearchParams }
  | { page: 'lifecycle'; params: URLSearchParams }
  | { page: 'relay'; params: URLSearchParams }
  | { page: 'not_found'; params: URLSearchParams };

/** Reads a location hash into a route. */
export function parseRoute(hash: string): Route {
  const text = hash.replace(/^#/, '');
  const q = text.indexOf('?');
  const path = (q === -1 ? text : text.slice(0, q)).replace(/\/+$/, '');
  const params = new URLSearchParams(q === -1 ? '' : text.slice(q + 1));
  if (path === '' || path === '/overview') return { page: 'overview', params };
  if (path === '/calls') return { page: 'calls', params };
  if (path === '/group-calls') return { page: 'group-calls', params };
  if (path === '/quarantine') return { page: 'quarantine', params };
  if (path === '/lifecycle') return { page: 'lifecycle', params };
  if (path === '/relay') return { page: 'relay', params };
  const call = /^\/calls\/([^/]+)$/.exec(path);
  if (call?.[1] !== undefined) return { page: 'call', sid: decodeURIComponent(call[1]), params };
  const groupCall = /^\/group-calls\/([^/]+)$/.exec(path);
  if (groupCall?.[1] !== undefined) return { page: 'group-call', sid: decodeURIComponent(groupCall[1]), params };
  return { page: 'not_found', params };
}

/** Builds a hash from a path and parameters, leaving out empty ones. */
export function routeHash(path: string, params: URLSearchParams | Record<string, string | number | null | undefined> = {}): string {
  const q = new URLSearchParams();
  const entries = params instanceof URLSearchParams ? [...params.entries()] : Object.entries(params);
  for (const [k, v] of entries) if (v !== null && v !== undefined && v !== '') q.append(k, String(v));
  const text = q.toString();
  return `#${path}${text === '' ? '' : `?${text}`}`;
}
