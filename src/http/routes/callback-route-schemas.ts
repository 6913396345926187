import { OPENAPI_SCHEMAS, ref, type Schema } from '../openapi/openapi-schemas.js';
import { answer, errorAnswers } from '../openapi/responses.js';

/** Each endpoint's documentation: its operation names, its fields' schema, what the Console calls its URL. */
const CALLBACK_DOCS = {
  'call-event': {
    operation: 'CallEvent', schema: 'CallEvent', title: '1-to-1 Call Event', consoleName: 'on_call_evt_cb_url',
    note: "Keys this version does not know are accepted and kept in the call's extra.",
  },
  notify: {
    operation: 'Notify', schema: 'Notify', title: 'Notify', consoleName: 'notify_cb_url',
    note: 'Sent when a caller dials, before the callee rings. Stored once per sid; with NOTIFY_RELAY_URL set it is then passed on to the app\'s ' +
      'notify handler (GET, the same keys plus cc_param = param) and answered with that handler\'s verdict: 200 when it answered 2xx, ' +
      '502 when it answered otherwise or could not be reached, 504 when it did not answer within NOTIFY_RELAY_TIMEOUT. ' +
      'Without NOTIFY_RELAY_URL the Notify is stored and answered 200, and nobody sends the push.',
  },
  'agent-call-status': {
    operation: 'AgentCallStatus', schema: 'AgentCallStatus', title: 'Agent Call Status', consoleName: 'agent_call_status_cb_url',
    note: 'Sent for server-made (Audio Caller) calls. result is SUCCESS or FAIL in any case. Stored once per sid.',
  },
  'group-call-event': {
    operation: 'GroupCallEvent', schema: 'GroupCallEvent', title: 'Group Call Event', consoleName: 'on_gcall_evt_cb_url',
    note: 'Sent for every change of a group call. Times in seconds or milliseconds (told by magnitude), media_type or mediaType. ' +
      'Stored once per event (sid, user_svc_id, user_id, sc, msc, ts); the room session and its stays are rebuilt from the stored events in the same commit.',
  },
} as const;

export type CallbackEndpoint = keyof typeof CALLBACK_DOCS;

/** Each field of a callback as a query parameter; on GET the mandatory ones are required. */
function callbackQuery(schemaName: 'CallEvent' | 'Notify' | 'AgentCallStatus' | 'GroupCallEvent', title: string, method: 'get' | 'post'): Schema {
  const { properties, required } = OPENAPI_SCHEMAS[schemaName];
  const documented = Object.fromEntries(Object.entries(properties).map(([name, schema]) => [name, { ...schema, description: `${title} field ${name}` }]));
  return { type: 'object', properties: documented, ...(method === 'get' ? { required } : {}) };
}

/**
 * The callback operations. They document only: the callback routes decode every request
 * themselves (a malformed callback is quarantined and answered with one detail per bad
 * field), so no schema may refuse a request before them (see registerOpenApi).
 */
export function callbackSchema(method: 'get' | 'post', endpoint: CallbackEndpoint = 'call-event'): Schema {
  const doc = CALLBACK_DOCS[endpoint];
  const relayErrors = endpoint === 'notify' ? errorAnswers('notify_handler_failed', 'notify_handler_timeout') : {};
  return {
    tags: ['callbacks'],
    operationId: `receive${doc.operation}By${method === 'get' ? 'Get' : 'Post'}`,
    summary: `LINE Planet ${doc.title} callback (${method.toUpperCase()})`,
    description:
      `Configure this URL as ${doc.consoleName}. Fields arrive as query parameters` +
      (method === 'post' ? ' and/or an application/x-www-form-urlencoded or JSON body' : '') +
      `. ${doc.note} Never needs the API token. With CALLBACK_SECRET set the path is /callbacks/{secret}/${endpoint}. ` +
      'Malformed callbacks are stored in quarantine and answered 4xx with one detail per bad field.',
    security: [],
    querystring: callbackQuery(doc.schema, doc.title, method),
    ...(method === 'post' ? { consumes: ['application/x-www-form-urlencoded', 'application/json'], body: ref(doc.schema) } : {}),
    response: {
      200: answer(
        {
          type: 'object',
          required: ['result', 'sid'],
          properties: {
            result: { type: 'string', enum: ['accepted', 'duplicate', 'conflict', 'spooled'] },
            sid: { type: 'string' },
            ...(endpoint === 'notify'
              ? {
                relay: {
                  type: 'object',
                  description: "present when NOTIFY_RELAY_URL is set: how the app's notify handler answered",
                  required: ['outcome', 'status', 'latency_ms'],
                  properties: { outcome: { type: 'string' }, status: { type: ['integer', 'null'] }, latency_ms: { type: 'integer' } },
                },
              }
              : {}),
          },
        },
        'stored (or already stored; spooled: PostgreSQL was down, kept in the local spool and moved into it later): LINE Planet need not retry',
      ),
      ...errorAnswers('invalid_callback', 'forbidden', 'not_found', 'payload_too_large', 'uri_too_long', 'unsupported_media_type', 'storage_unavailable'),
      ...relayErrors,
    },
  };
}
