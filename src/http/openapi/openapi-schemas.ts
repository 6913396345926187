import { AGENT_CALL_STATUS_FIELDS } from '../../domain/agent-call-status.js';
import { CALL_EVENT_FIELDS, CALL_FIELDS, type CallFieldSpec } from '../../domain/call-event.js';
import { NOTIFY_FIELDS } from '../../domain/notify.js';
import { GROUP_CALL_FIELDS, type GroupFieldSpec, PARTICIPANT_STATUSES, ROOM_STATUSES } from '../../domain/group-call-event.js';
import { ENDED_BY_VALUES, OUTCOMES } from '../../domain/classify/call-status.js';
import { FIGURE_KEYS } from '../../domain/stats/figures.js';
import { ERROR_STATUS } from '../../errors/app-error.js';
import { GROUP_CALL_COMPONENTS } from './group-call-components.js';

/** A JSON Schema (2020-12, as OpenAPI 3.1 reads it) written as a plain object. */
export type Schema = Record<string, unknown>;

/** A reference to one of OPENAPI_SCHEMAS, as Fastify resolves it (the document shows `#/components/schemas/<name>`). */
export const ref = (name: string): Schema => ({ $ref: `${name}#` });

const nullable = (type: string, extra: Schema = {}): Schema => ({ type: [type, 'null'], ...extra });

/** The JSON Schema of one field kind (docs/spec/callbacks.md §1.1); bounds come from the field's definition. */
function kindSchema(field: CallFieldSpec | GroupFieldSpec): Schema {
  switch (field.kind) {
    case 'group-sid':
      return { type: 'string', pattern: '^[0-9a-fA-F]{32}$|^[0-9a-fA-F-]{36}$', description: '32 hexadecimal characters (or a UUID with hyphens)' };
    case 'epoch-seconds':
      return { type: 'integer', minimum: 0, description: 'Unix seconds, or milliseconds (told by magnitude); 0 when not yet' };
    case 'epoch-ms':
      return { type: 'integer', minimum: 1, description: 'Unix milliseconds, or seconds (told by magnitude)' };
    case 'room-status':
      return { type: 'string', enum: [...ROOM_STATUSES], description: 'S started, C changed, E ended' };
    case 'participant-status':
      return { type: 'string', enum: [...PARTICIPANT_STATUSES], description: 'C connected, D disconnected, T timed out, M media changed' };
    case 'ue-type':
      return { type: 'string', pattern: '^[A-Za-z0-9_]{1,32}$' };
    case 'sid':
      return { type: 'string', format: 'uuid' };
    case 'call-type':
      return { type: 'string', enum: ['A', 'V'], description: 'A audio, V video' };
    case 'unix-seconds':
    case 'seconds':
      return { type: 'integer', minimum: 0 };
    case 'integer':
      return { type: 'integer', ...(field.min === undefined ? {} : { minimum: field.min }), ...(field.max === undefined ? {} : { maximum: field.max }) };
    case 'ip':
      return { type: 'string', description: 'an IPv4 or IPv6 address' };
    case 'id':
    case 'text':
      return { type: 'string' };
  }
}

/** Every Call Event field from its one definition (CALL_FIELDS): optional fields are null when absent. */
function callEventProperties(fields: readonly (CallFieldSpec | GroupFieldSpec)[] = CALL_FIELDS): Record<string, Schema> {
  const properties: Record<string, Schema> = {};
  for (const field of fields) {
    const schema = kindSchema(field);
    const enumWithNull = Array.isArray(schema.enum) ? { enum: [...schema.enum, null] } : {};
    properties[field.name] = field.required ? schema : { ...schema, type: [schema.type, 'null'], ...enumWithNull };
  }
  return properties;
}

/**
 * A Call Event as LINE Planet sends it: the fields that are never null are required, the
 * others are simply left out when absent, and unknown keys are accepted (kept in `extra`).
 */
function callEventRequestSchema(fields: readonly (CallFieldSpec | GroupFieldSpec)[] = CALL_FIELDS): { type: 'object'; required: string[]; properties: Record<string, Schema>; additionalProperties: Schema } {
  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  for (const [field, schema] of Object.entries(callEventProperties(fields))) {
    const { type } = schema;
    if (Array.isArray(type)) properties[field] = { ...schema, type: type.find((t) => t !== 'null') };
    else {
      properties[field] = schema;
      required.push(field);
    }
  }
  return { type: 'object', required, properties, additionalProperties: { type: ['string', 'number'] } };
}

/** A stored Notify or Agent Call Status: its fields, then what callevt knows of its delivery. */
function storedKeyedSchema(fields: readonly CallFieldSpec[], description: string, overrides: Record<string, Schema> = {}): Schema {
  return {
    type: ['object', 'null'],
    description,
    properties: {
      ...callEventProperties(fields),
      ...overrides,
      extra: { type: 'object', additionalProperties: { type: 'string' } },
      conflicts: { type: 'integer', description: 'distinct conflicting versions of this sid received after the first' },
      raw_request_id: { type: 'integer' },
      received_at: { type: 'string', format: 'date-time' },
    },
    required: [...fields.map((f) => f.name), 'extra', 'conflicts', 'raw_request_id', 'received_at'],
  };
}

const decodedCode: Schema = {
  type: ['object', 'null'],
  required: ['code', 'name', 'meaning'],
  properties: { code: { type: 'integer' }, name: { type: 'string' }, meaning: { type: 'string' } },
};

const figuresProperties = Object.fromEntries(
  FIGURE_KEYS.map((key) => {
    const counts = ['attempts', 'completed', 'dropped', 'canceled', 'rejected', 'busy', 'no_answer', 'failed', 'answered', 'total_duration_sec', 'total_billing_sec', 'peak_concurrency'];
    if (counts.includes(key)) return [key, { type: 'integer', minimum: 0 }];
    if (['asr', 'ner', 'drop_rate', 'short_call_ratio'].includes(key)) {
      return [key, nullable('number', { minimum: 0, maximum: 1, description: 'fraction in [0,1]; null when the denominator is 0' })];
    }
    return [key, nullable('number', { minimum: 0, description: 'seconds; null when there is no answered call' })];
  }),
);

/**
 * The reusable schemas of the API (OpenAPI 3.1 / JSON Schema 2020-12): each is added to
 * Fastify under its name as `$id` (registerOpenApi), the routes refer to them with `ref()`,
 * and the document lists them under components.schemas.
 */
export const OPENAPI_SCHEMAS = {
  Error: {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message', 'details'],
        properties: {
          code: { type: 'string', enum: Object.keys(ERROR_STATUS) },
          message: { type: 'string' },
          details: {
            type: 'array',
            items: { type: 'object', required: ['field', 'problem'], properties: { field: { type: 'string' }, problem: { type: 'string' } } },
          },
        },
      },
    },
  },
  CallEvent: {
    description: 'A 1-to-1 Call Event callback as LINE Planet sends it (docs/spec/callbacks.md); keys this version does not know are kept in the call\'s extra.',
    ...callEventRequestSchema(),
  },
  Notify: {
    description: 'A Notify callback as LINE Planet sends it (docs/spec/callbacks.md §3); unknown keys are kept in extra.',
    ...callEventRequestSchema(NOTIFY_FIELDS),
  },
  AgentCallStatus: {
    description: 'An Agent Call Status callback as LINE Planet sends it (docs/spec/callbacks.md §4); result in any case.',
    ...callEventRequestSchema(AGENT_CALL_STATUS_FIELDS),
  },
  GroupCallEvent: {
    description: 'A Group Call Event callback as LINE Planet sends it (docs/spec/callbacks.md §2); mediaType is accepted for media_type, unknown keys are kept in extra.',
    ...callEventRequestSchema(GROUP_CALL_FIELDS),
  },
  ...GROUP_CALL_COMPONENTS,
  StoredNotify: storedKeyedSchema(NOTIFY_FIELDS, 'The first Notify received for the sid; null when none was.'),
  StoredAgentCallStatus: storedKeyedSchema(AGENT_CALL_STATUS_FIELDS, 'The first Agent Call Status received for the sid; null when none was.', {
    result: { type: 'string', enum: ['SUCCESS', 'FAIL'] },
    fail_reason: nullable('string', { description: 'null when absent or the literal None' }),
  }),
  NotifyRelayAttempt: {
    type: 'object',
    description: "One attempt at passing the Notify on to the app's notify handler (NOTIFY_RELAY_URL).",
    required: ['attempted_at', 'outcome', 'status', 'latency_ms', 'error'],
    properties: {
      attempted_at: { type: 'string', format: 'date-time' },
      outcome: { type: 'string', enum: ['ok', 'http_error', 'timeout', 'unreachable'] },
      status: nullable('integer', { description: "the handler's HTTP status; null when none came" }),
      latency_ms: { type: 'integer', minimum: 0 },
      error: nullable('string'),
    },
  },
  CallStatus: {
    type: 'object',
    description: 'How the call ended, computed by the current classifier (docs/spec/outcomes.md §1, revision 3: only a call with talk time is connected, completed or dropped).',
    required: ['outcome', 'ended_by', 'reason', 'reason_source', 'connected', 'explanation', 'inconsistencies', 'decoded', 'classifier_version'],
    properties: {
      outcome: { type: 'string', enum: [...OUTCOMES] },
      ended_by: { type: 'string', enum: [...ENDED_BY_VALUES] },
      reason: { type: 'string', description: 'the decisive code\'s name, e.g. NETWORK_UNSTABLE, or "unknown (N)"' },
      reason_source: { type: 'string', enum: ['disconnect_reason', 'call_end_reason', 'terminate'] },
      connected: { type: 'boolean' },
      explanation: { type: 'string', description: 'one plain sentence for a support ticket' },
      inconsistencies: {
        type: 'array',
        items: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } },
      },
      decoded: {
        type: 'object',
        required: ['terminate', 'disconnect_reason', 'call_end_reason', 'releaser_type'],
        properties: { terminate: decodedCode, disconnect_reason: decodedCode, call_end_reason: decodedCode, releaser_type: decodedCode },
      },
      classifier_version: { type: 'integer' },
    },
  },
  Call: {
    type: 'object',
    description: 'A stored 1-to-1 call: every LINE Planet field under its own name (absent optional fields are null).',
    properties: {
      ...callEventProperties(),
      extra: { type: 'object', additionalProperties: { type: 'string' }, description: 'keys LINE Planet sent that this version does not know' },
      conflicts: { type: 'integer', description: 'distinct conflicting versions of this sid received after the first' },
      raw_request_id: { type: 'integer' },
      received_at: { type: 'string', format: 'date-time' },
      status: ref('CallStatus'),
    },
    required: [...CALL_EVENT_FIELDS, 'extra', 'conflicts', 'raw_request_id', 'received_at', 'status'],
  },
  Delivery: {
    type: 'object',
    description: 'One raw request recorded for a call\'s sid, as received (path with any secret replaced by [secret]).',
    required: ['id', 'received_at', 'method', 'path', 'query', 'body', 'content_type', 'source_ip', 'result', 'callback'],
    properties: {
      id: { type: 'integer', description: 'the raw request id (the accepted one is the call\'s raw_request_id)' },
      received_at: { type: 'string', format: 'date-time' },
      method: { type: 'string' },
      path: { type: 'string' },
      query: { type: 'string', description: 'the exact query string, without ?' },
      body: nullable('string', { description: 'the body as text (POST); null for GET' }),
      content_type: nullable('string'),
      source_ip: { type: 'string' },
      result: { type: 'string', enum: ['accepted', 'duplicate', 'conflict'] },
      callback: { type: 'string', enum: ['call-event', 'notify', 'agent-call-status'], description: 'which callback the delivery was, by its path' },
    },
  },
  ConflictingVersion: {
    type: 'object',
    description: 'A version of the call that arrived after the first with different content.',
    required: ['id', 'received_at', 'raw_request_id', 'content_hash', 'event', 'differs'],
    properties: {
      id: { type: 'integer' },
      received_at: { type: 'string', format: 'date-time' },
      raw_request_id: { type: 'integer', description: 'the delivery that carried it first' },
      content_hash: { type: 'string' },
      event: {
        type: 'object',
        description: 'the version as parsed, every LINE Planet field under its own name',
        properties: { ...callEventProperties(), extra: { type: 'object', additionalProperties: { type: 'string' } } },
        required: [...CALL_EVENT_FIELDS, 'extra'],
      },
      differs: { type: 'array', items: { type: 'string' }, description: 'field names (extra keys by their own name) whose values differ from the stored call' },
    },
  },
  QuarantineEntry: {
    type: 'object',
    required: ['id', 'raw_request_id', 'received_at', 'method', 'path', 'query', 'body', 'source_ip', 'reasons'],
    properties: {
      id: { type: 'integer' },
      raw_request_id: { type: 'integer' },
      received_at: { type: 'string', format: 'date-time' },
      method: { type: 'string' },
      path: { type: 'string' },
      query: { type: 'string' },
      body: nullable('string'),
      source_ip: { type: 'string' },
      reasons: { type: 'array', items: { type: 'object', required: ['field', 'problem'], properties: { field: { type: 'string' }, problem: { type: 'string' } } } },
    },
  },
  Figures: {
    type: 'object',
    description: 'The figures of docs/spec/outcomes.md §2.',
    required: [...FIGURE_KEYS],
    properties: figuresProperties,
  },
} satisfies Record<string, Schema>;
