/**
 * The dashboard's only way to the server: the public API (GET, and POST for the quarantine
 * replay and the dead-letter retry). When the API answers
 * 401, the user is asked for the token once; it is kept in sessionStorage (this tab
 * only) and sent as `Authorization: Bearer`, never in a URL.
 */
import type { ErrorBody } from './api-types.js';
import { askForToken } from './token-prompt.js';

const TOKEN_KEY = 'callevt.apiToken';

/** An error answer of the API, with its code and per-field details. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorBody['error']['details'] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Query parameters: repeated keys come from arrays; empty values are left out. */
export type Params = Record<string, string | number | readonly string[] | null | undefined>;

/** Builds `path?query` from parameters. */
export function apiUrl(path: string, params: Params = {}): string {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === null || value === undefined || value === '') continue;
    if (Array.isArray(value)) for (const v of value) q.append(key, v);
    else q.append(key, String(value));
  }
  const text = q.toString();
  return text === '' ? path : `${path}?${text}`;
}

/** Fetches an API path and returns its answer, asking for the token when needed. */
export async function apiGet<T>(path: string, params: Params = {}, signal?: AbortSignal): Promise<T> {
  const response = await authorizedFetch(apiUrl(path, params), signal);
  if (!response.ok) throw await errorOf(response);
  return (await response.json()) as T;
}

/** Fetches an API path as a Blob (exports), with the same token handling. */
export async function apiBlob(path: string, params: Params = {}): Promise<Blob> {
  const response = await authorizedFetch(apiUrl(path, params));
  if (!response.ok) throw await errorOf(response);
  return response.blob();
}

/** POSTs a JSON body to an API path (the quarantine replay, the dead-letter retry) and returns its answer, with the same token handling. */
export async function apiPost<T>(path: string, body: unknown): Promise<T> {
  const response = await authorizedFetch(path, undefined, { method: 'POST', body: JSON.stringify(body), contentType: 'application/json' });
  if (!response.ok) throw await errorOf(response);
  return (await response.json()) as T;
}

async function authorizedFetch(url: string, signal?: AbortSignal, post?: { method: 'POST'; body: string; contentType: string }): Promise<Response> {
  let refused: string | null = null;
  for (;;) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (post !== undefined) headers['content-type'] = post.contentType;
    const response = await fetch(url, { headers, ...(signal ? { signal } : {}), ...(post ? { method: post.method, body: post.body } : {}) });
    if (response.status !== 401) return response;
    // Several requests may be refused at once; they share one prompt (askForToken).
    if (sessionStorage.getItem(TOKEN_KEY) !== token) continue; // another request already got a new token
    refused = token;
    const entered = await askForToken(refused === null ? null : 'That token was refused. Try again.');
    sessionStorage.setItem(TOKEN_KEY, entered);
  }
}

async function errorOf(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as Partial<ErrorBody>;
    const e = body.error;
    if (e !== undefined) return new ApiError(response.status, e.code, e.message, e.details ?? []);
  } catch {
    // not JSON: fall through
  }
  return new ApiError(response.status, 'http_error', `The server answered ${response.status} ${response.statusText}`);
}
