import { OPENAPI_SCHEMAS, ref, type Schema } from '../openapi/openapi-schemas.js';
import { answer, errorAnswers } from '../openapi/responses.js';

/** Each Call Event field as a query parameter, typed as in the CallEvent schema; on GET the mandatory ones are required. */
function callEventQuery(method: 'get' | 'post'): Schema {
  const { properties, required } = OPENAPI_SCHEMAS.CallEvent;
  const documented = Object.fromEntries(Object.entries(properties).map(([name, schema]) => [name, { ...schema, description: `Call Event field ${name}` }]));
  return { type: 'object', properties: documented, ...(method === 'get' ? { required } : {}) };
}

/**
 * The callback operations. They document only: the callback routes decode every request
 * themselves (a malformed callback is quarantined and answered with one detail per bad
 * field), so no schema may refuse a request before them (see registerOpenApi).
 */
export function callbackSchema(method: 'get' | 'post'): Schema {
  return {
    tags: ['callbacks'],
    operationId: method === 'get' ? 'receiveCallEventByGet' : 'receiveCallEventByPost',
    summary: `LINE Planet 1-to-1 Call Event callback (${method.toUpperCase()})`,
    description:
      'Configure this URL as on_call_evt_cb_url. Fields arrive as query parameters' +
      (method === 'post' ? ' and/or an application/x-www-form-urlencoded or JSON body' : '') +
      ". Keys this version does not know are accepted and kept in the call's extra. Never needs the API token. With CALLBACK_SECRET set the path is /callbacks/{secret}/call-event. " +
      'Malformed callbacks are stored in quarantine and answered 4xx with one detail per bad field.',
    security: [],
    querystring: callEventQuery(method),
    ...(method === 'post' ? { consumes: ['application/x-www-form-urlencoded', 'application/json'], body: ref('CallEvent') } : {}),
    response: {
      200: answer(
        { type: 'object', required: ['result', 'sid'], properties: { result: { type: 'string', enum: ['accepted', 'duplicate', 'conflict', 'spooled'] }, sid: { type: 'string' } } },
        'stored (or already stored; spooled: PostgreSQL was down, kept in the local spool and moved into it later): LINE Planet need not retry',
      ),
      ...errorAnswers('invalid_callback', 'forbidden', 'not_found', 'payload_too_large', 'uri_too_long', 'unsupported_media_type', 'storage_unavailable'),
    },
  };
}
