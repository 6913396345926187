import { createHmac } from 'node:crypto';

/** The prefix of a Standard Webhooks secret, whose rest is the base64 of the key. */
export const STANDARD_SECRET_PREFIX = 'whsec_';

/**
 * The HMAC key of a signing secret: a `whsec_<base64>` secret (the Standard Webhooks form,
 * which its libraries expect) is the base64-decoded rest; any other secret is its UTF-8 bytes.
 */
export function webhookKey(secret: string): Buffer {
  if (secret.startsWith(STANDARD_SECRET_PREFIX)) return Buffer.from(secret.slice(STANDARD_SECRET_PREFIX.length), 'base64');
  return Buffer.from(secret, 'utf8');
}

/**
 * The `webhook-signature` value of a relayed request (Standard Webhooks, version 1):
 * `v1,` and the base64 HMAC-SHA256 of `<webhook-id>.<webhook-timestamp>.<content>`, where
 * the content is the body as sent (for a GET, the query string as sent, without `?`).
 *
 * @example signWebhook(deliveryId, 1700000000, 'sid=…&type=V', secret) // 'v1,K5oZ…='
 */
export function signWebhook(id: string, timestampSec: number, content: string, secret: string): string {
  const mac = createHmac('sha256', webhookKey(secret)).update(`${id}.${timestampSec}.${content}`, 'utf8').digest('base64');
  return `v1,${mac}`;
}
