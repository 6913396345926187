import type { RelayItem } from '../storage/port.js';
import { signWebhook } from './webhook-signature.js';

/** Longest error text kept with an outbox row, in characters. */
export const MAX_RELAY_ERROR_CHARS = 300;

/** Where and how relayed requests go. */
export interface RelayTarget {
  /** The app's own handler: the full URL; the original query string is appended to it. */
  url: string;
  /** Longest wait for the answer's status line, in milliseconds. */
  timeoutMs: number;
  /** RELAY_SIGNING_SECRET, or null to send no webhook-signature. */
  signingSecret: string | null;
}

/** What one attempt came to: delivered on any 2xx, otherwise why not. */
export type RelayAttempt = { ok: true; status: number } | { ok: false; error: string };

/**
 * The request the app receives for an outbox item: the original method, query string and
 * body unchanged, its content type, the Standard Webhooks headers (webhook-id is the item's
 * stable delivery id; webhook-timestamp is this attempt's time, in Unix seconds) and the
 * original sender's address in X-Forwarded-For.
 */
export function relayRequestOf(item: RelayItem, target: RelayTarget, nowMs: number): { url: string; init: RequestInit } {
  const timestamp = Math.floor(nowMs / 1000);
  const sendsBody = item.method !== 'GET' && item.method !== 'HEAD';
  const body = sendsBody ? (item.body ?? '') : null;
  const headers: Record<string, string> = {
    'webhook-id': item.deliveryId,
    'webhook-timestamp': String(timestamp),
    'x-forwarded-for': item.sourceIp,
    'user-agent': 'callevt-relay',
  };
  if (item.contentType !== null && sendsBody) headers['content-type'] = item.contentType;
  // Signed content: what the app reads as the payload, the body, or for a GET the query string.
  if (target.signingSecret !== null) headers['webhook-signature'] = signWebhook(item.deliveryId, timestamp, body ?? item.query, target.signingSecret);
  const url = item.query === '' ? target.url : `${target.url}?${item.query}`;
  return { url, init: { method: item.method, headers, ...(body === null ? {} : { body }), redirect: 'manual' } };
}

/** Sends one item once; never throws. A redirect is not followed: it is a failure like any non-2xx. */
export async function sendRelayRequest(item: RelayItem, target: RelayTarget, nowMs: number, signal?: AbortSignal): Promise<RelayAttempt> {
  const { url, init } = relayRequestOf(item, target, nowMs);
  const timeout = AbortSignal.timeout(target.timeoutMs);
  try {
    const response = await fetch(url, { ...init, signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]) });
    // The answer's body is of no use: drop it without reading it.
    await response.body?.cancel().catch(() => undefined);
    if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status };
    return { ok: false, error: `HTTP ${response.status}` };
  } catch (error) {
    if (timeout.aborted) return { ok: false, error: `no answer within ${target.timeoutMs} ms` };
    if (signal?.aborted) return { ok: false, error: 'the receiver stopped during the attempt' };
    return { ok: false, error: describeFailure(error) };
  }
}

/** A network failure as a short sentence (fetch hides the cause one level down). */
function describeFailure(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause ?? error;
  const code = (cause as { code?: unknown }).code;
  const message = cause instanceof Error ? cause.message : String(cause);
  const text = typeof code === 'string' && !message.includes(code) ? `${code} ${message}` : message;
  return text.slice(0, MAX_RELAY_ERROR_CHARS);
}
