import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/load-config.js';
import { AppError, type ErrorCode } from '../../errors/app-error.js';
import type { GroupCommitter } from '../../ingest/group-committer.js';
import { type ReadDelivery, readCallEventRequest, readGroupCallEventRequest, readKeyedCallbackRequest } from '../../ingest/read-callback-request.js';
import type { NotifyRelay } from '../../relay/notify-relay.js';
import { type CallbackRecord, type NotifyRelayAttempt, type RawRequest, type RecordResult, sidOfRecord } from '../../storage/port.js';
import { splitUrl } from '../../logging/path-only.js';
import type { CallbackEndpoint } from '../metrics.js';
import { redactSecretPath, secretMatches, sourceAllowed } from '../callback-guard.js';
import { callbackSchema } from './callback-route-schemas.js';
import { answerWithRelay, attemptOf, type RelayInFlight, startNotifyRelay } from './notify-relay-answer.js';

/** Largest query string accepted, in bytes (app_svr_data alone may be 4095 bytes, ×3 when encoded). */
export const MAX_QUERY_BYTES = 16_384;
/** Largest POST body accepted, in bytes. */
export const MAX_BODY_BYTES = 16_384;

/** The error code a refused (quarantined) callback is answered with, by status. */
const REFUSAL_CODES: Readonly<Record<number, ErrorCode>> = {
  400: 'invalid_callback',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
};

export interface CallbackRouteOptions {
  config: Readonly<Config>;
  committer: GroupCommitter<CallbackRecord, RecordResult>;
  now: () => number;
  onResult?: (result: RecordResult | 'rejected', seconds: number, callback: CallbackEndpoint) => void;
  /** The app's notify handler each stored Notify is passed on to; absent: Notify is recorded and answered 200. */
  notifyRelay?: NotifyRelay;
  /** Keeps a relay attempt (in a later commit: the answer does not wait for it). */
  onRelayed?: (attempt: NotifyRelayAttempt) => void;
}

/**
 * Each callback endpoint: the last segment of its path, and how its raw request is read
 * (the same readers replay and rebuild use: src/ingest/read-stored-delivery.ts).
 */
type RequestReader = (raw: RawRequest) => ReadDelivery;
const CALLBACK_ENDPOINTS: ReadonlyArray<{ name: CallbackEndpoint; read: RequestReader }> = [
  { name: 'call-event', read: readCallEventRequest },
  { name: 'notify', read: (raw) => readKeyedCallbackRequest('notify', raw) },
  { name: 'agent-call-status', read: (raw) => readKeyedCallbackRequest('agent-call-status', raw) },
  { name: 'group-call-event', read: readGroupCallEventRequest },
];

/**
 * The callback endpoints: the 1-to-1 Call Event (`on_call_evt_cb_url`), Notify
 * (`notify_cb_url`), Agent Call Status (`agent_call_status_cb_url`) and the Group Call
 * Event (`on_gcall_evt_cb_url`), each by GET with
 * query keys, or POST with a form or JSON body carrying the same keys. Answers 200 only
 * after the delivery is committed; a malformed one is committed to quarantine, then
 * answered 4xx. A stored Notify is then passed on to the app's handler (NOTIFY_RELAY_URL)
 * and answered with its verdict.
 */
export async function callbackRoutes(app: FastifyInstance, options: CallbackRouteOptions): Promise<void> {
  const { config, committer, now } = options;
  const secret = config.callbackSecret;

  // Bodies reach the handler as text: we decode them ourselves, so that an undecodable
  // body is quarantined like any other malformed callback instead of failing in the framework.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: MAX_BODY_BYTES }, (_req, body, done) => done(null, body));

  // Only when there is something to check: a hook costs every delivery a promise.
  if (secret !== null || config.callbackAllowCidrs !== null) {
    app.addHook('onRequest', async (request: FastifyRequest<{ Params: { secret?: string } }>) => {
      if (secret !== null && !secretMatches(request.params.secret ?? '', secret)) {
        throw new AppError('not_found', 'No route for this path');
      }
      if (!sourceAllowed(config.callbackAllowCidrs, request.ip)) {
        throw new AppError('forbidden', 'This source address may not deliver callbacks');
      }
    });
  }

  // Refusals that happen before the handler (an oversized body) are still kept.
  app.setErrorHandler(async (error: Error & { code?: string }, request, reply) => {
    if (error.code !== 'FST_ERR_CTP_BODY_TOO_LARGE') throw error;
    // Kept with the raw request, so that a replay or a rebuild refuses it the same way
    // (a refusal before the content is read is the same for every kind of callback).
    const unreadReasons = [{ field: 'body', problem: `is larger than ${MAX_BODY_BYTES} bytes` }];
    const { record, refusal } = readCallEventRequest({ ...rawRequestOf(request, null), unreadReasons });
    return respond(reply, endpointOf(request), record, refusal);
  });

  const respond = async (reply: FastifyReply, callback: CallbackEndpoint, record: CallbackRecord, status = 400, values?: ReadonlyMap<string, string>) => {
    const started = process.hrtime.bigint();
    const notifyRelay = record.kind === 'notify' && values !== undefined ? options.notifyRelay : undefined;
    // A Notify goes to the notify handler as soon as it is written, while its commit reaches the disk.
    let relaying: RelayInFlight | undefined;
    const relayOnCommit = notifyRelay && values ? () => (relaying ??= startNotifyRelay(notifyRelay, values, now)) : undefined;
    let result: RecordResult;
    try {
      result = await committer.submit(record, relayOnCommit);
    } catch (cause) {
      options.onResult?.('rejected', elapsed(started), callback);
      // Written but not made durable: the handler may have had it; keep what it said.
      const sent = relaying;
      const sid = sidOfRecord(record);
      if (sent !== undefined && sid !== null) void sent.verdict.then((verdict) => options.onRelayed?.(attemptOf(sid, sent.attemptedAt, verdict)));
      throw new AppError('storage_unavailable', 'The callback could not be stored; please retry', [], { cause });
    }
    options.onResult?.(result, elapsed(started), callback);
    if (record.kind === 'malformed') {
      const code = REFUSAL_CODES[status] ?? 'invalid_callback';
      const fields = [...new Set(record.problems.map((p) => p.field))].join(', ');
      const error = new AppError(code, `The callback was refused and quarantined: bad ${fields}`, record.problems);
      return reply.code(error.status).send(error.toBody());
    }
    const sid = sidOfRecord(record) ?? '';
    if (notifyRelay && values) {
      // A store that reports no early moment (PostgreSQL: its commit is durable) relays now.
      const sent = relaying ?? startNotifyRelay(notifyRelay, values, now);
      return answerWithRelay(reply, { result, sid }, sent, options.onRelayed ? { onRelayed: options.onRelayed } : {});
    }
    return reply.code(200).send({ result, sid });
  };

  const rawRequestOf = (request: FastifyRequest, body: string | null): RawRequest => {
    const { path, query } = splitUrl(request.raw.url ?? '');
    return {
      receivedAt: now(),
      method: request.method,
      path: redactSecretPath(path, secret),
      query: query.slice(0, MAX_QUERY_BYTES),
      body,
      contentType: request.headers['content-type'] ?? null,
      sourceIp: request.ip,
    };
  };

  const handle = (callback: CallbackEndpoint, read: RequestReader) => async (request: FastifyRequest, reply: FastifyReply) => {
    const body = typeof request.body === 'string' ? request.body : null;
    let raw = rawRequestOf(request, body);
    const fullQueryLength = splitUrl(request.raw.url ?? '').query.length;
    if (fullQueryLength > MAX_QUERY_BYTES) {
      // Kept with the raw request, so that a replay or a rebuild refuses it the same way.
      raw = { ...raw, unreadReasons: [{ field: 'query', problem: `is ${fullQueryLength} bytes, more than ${MAX_QUERY_BYTES} (kept truncated)` }] };
    }
    const { record, refusal, values } = read(raw);
    return respond(reply, callback, record, refusal, values);
  };

  for (const { name, read } of CALLBACK_ENDPOINTS) {
    const path = secret === null ? `/callbacks/${name}` : `/callbacks/:secret/${name}`;
    // No automatic HEAD route: a HEAD probe must not be recorded as a delivery.
    app.get(path, { exposeHeadRoute: false, schema: callbackSchema('get', name) }, handle(name, read));
    app.post(path, { schema: callbackSchema('post', name) }, handle(name, read));
  }
}

/** The endpoint a request was routed to: the last segment of its route's path. */
function endpointOf(request: FastifyRequest): CallbackEndpoint {
  const name = request.routeOptions.url?.split('/').pop();
  return CALLBACK_ENDPOINTS.find((endpoint) => endpoint.name === name)?.name ?? 'call-event';
}

function elapsed(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}
