import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { RelayItem } from '../storage/port.js';
import { signWebhook } from './webhook-signature.js';

/** Longest error text kept with an outbox row, in characters. */
export const MAX_RELAY_ERROR_CHARS = 300;

/** Where and how relayed requests go. */
export interface RelayTarget {
  /** The app's own Call Event handler: the full URL; the original query string is appended to it. */
  url: string;
  /** The app's own Agent Call Status handler (AGENT_CALL_STATUS_RELAY_URL), or null when those are not relayed. */
  agentCallStatusUrl: string | null;
  /** Longest wait for the answer's status line, in milliseconds. */
  timeoutMs: number;
  /** RELAY_SIGNING_SECRET, or null to send no webhook-signature. */
  signingSecret: string | null;
}

/** The error an Agent Call Status attempt records while AGENT_CALL_STATUS_RELAY_URL is unset. */
export const NO_AGENT_CALL_STATUS_URL = 'AGENT_CALL_STATUS_RELAY_URL is not set: this Agent Call Status is held for it (never sent to the Call Event handler)';

/** What one attempt came to: delivered on any 2xx, otherwise why not. */
export type RelayAttempt = { ok: true; status: number } | { ok: false; error: string };

/** One request, ready to send. */
export interface RelayRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | null;
}

/**
 * The request the app receives for an outbox item: the original method, query string and
 * body unchanged, its content type, the Standard Webhooks headers (webhook-id is the item's
 * stable delivery id; webhook-timestamp is this attempt's time, in Unix seconds) and the
 * original sender's address in X-Forwarded-For. Null for an Agent Call Status while no
 * AGENT_CALL_STATUS_RELAY_URL is set (a restart without it, items still in the outbox): such
 * an item is never sent to the Call Event handler, which could not read it.
 */
export function relayRequestOf(item: RelayItem, target: RelayTarget, nowMs: number): RelayRequest | null {
  const base = item.kind === 'agent-call-status' ? target.agentCallStatusUrl : target.url;
  if (base === null) return null;
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
  if (body !== null) headers['content-length'] = String(Buffer.byteLength(body));
  // Signed content: what the app reads as the payload, the body, or for a GET the query string.
  if (target.signingSecret !== null) headers['webhook-signature'] = signWebhook(item.deliveryId, timestamp, body ?? item.query, target.signingSecret);
  const url = item.query === '' ? base : `${base}?${item.query}`;
  return { url, method: item.method, headers, body };
}

// Kept-alive connections to the app: node:http costs a fraction of fetch's CPU per request,
// which the receiver needs for ingest (bench/relay/run.ts).
const AGENTS = { 'http:': new HttpAgent({ keepAlive: true }), 'https:': new HttpsAgent({ keepAlive: true }) };

/**
 * Sends one item once; never throws. A redirect is not followed: it is a failure like any
 * non-2xx. An Agent Call Status with no URL to go to fails without a request, so it backs off
 * and ends among the dead letters, from where `callevt relay retry` sends it once the URL is set.
 */
export function sendRelayRequest(item: RelayItem, target: RelayTarget, nowMs: number, signal?: AbortSignal): Promise<RelayAttempt> {
  const request = relayRequestOf(item, target, nowMs);
  if (request === null) return Promise.resolve({ ok: false, error: NO_AGENT_CALL_STATUS_URL });
  const url = new URL(request.url);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (attempt: RelayAttempt) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(attempt);
    };
    const req = send(url, { method: request.method, headers: request.headers, agent: AGENTS[url.protocol === 'https:' ? 'https:' : 'http:'] }, (res) => {
      // The answer's body is of no use: drop it without keeping it.
      res.resume();
      const status = res.statusCode ?? 0;
      finish(status >= 200 && status < 300 ? { ok: true, status } : { ok: false, error: `HTTP ${status}` });
    });
    const timer = setTimeout(() => {
      finish({ ok: false, error: `no answer within ${target.timeoutMs} ms` });
      req.destroy();
    }, target.timeoutMs);
    const onAbort = () => {
      finish({ ok: false, error: 'the receiver stopped during the attempt' });
      req.destroy();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (error) => finish({ ok: false, error: describeFailure(error) }));
    req.end(request.body ?? undefined);
  });
}

/** A network failure as a short sentence. */
function describeFailure(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const text = typeof code === 'string' && !message.includes(code) ? `${code} ${message}` : message;
  return text.slice(0, MAX_RELAY_ERROR_CHARS);
}
