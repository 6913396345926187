import { ref, type Schema } from '../openapi/openapi-schemas.js';
import { answer, READ_ERRORS, SID_ERRORS, SID_PARAMS } from '../openapi/responses.js';

/** Calls per page of a lifecycle list by default, and at most. */
export const DEFAULT_LIFECYCLE_PAGE = 100;
export const MAX_LIFECYCLE_PAGE = 1000;

const nullable = (type: string, extra: Schema = {}): Schema => ({ type: [type, 'null'], ...extra });
const time = (description: string): Schema => nullable('string', { format: 'date-time', description });

const LIFECYCLE: Schema = {
  type: 'object',
  required: ['state', 'notified_at', 'ended_at', 'end_due_at', 'setup_to_notify_sec'],
  properties: {
    state: {
      type: 'string', enum: ['ended', 'in_progress', 'end_missing', 'unknown'],
      description: 'ended: the Call Event arrived; in_progress: notified, the Call Event not due yet; end_missing: notified, no Call Event within CALL_EVENT_DEADLINE; unknown: only an Agent Call Status',
    },
    notified_at: time('when the Notify was received'),
    ended_at: time('when the Call Event was received'),
    end_due_at: time('when a missing Call Event makes the call end_missing'),
    setup_to_notify_sec: nullable('integer', { description: "seconds from the Call Event's setup_time to the Notify's arrival" }),
  },
};

const TIMELINE_ENTRY: Schema = {
  type: 'object',
  required: ['at', 'event', 'summary'],
  properties: {
    at: { type: 'string', format: 'date-time' },
    event: { type: 'string', enum: ['delivery', 'notify_relay'] },
    summary: { type: 'string' },
    callback: { type: 'string', enum: ['call-event', 'notify', 'agent-call-status'] },
    result: { type: 'string' },
    raw_request_id: { type: 'integer' },
    outcome: { type: 'string' },
    status: nullable('integer'),
    latency_ms: { type: 'integer' },
  },
};

export const CALL_LIFE_SCHEMA: Schema = {
  tags: ['calls'],
  operationId: 'getCallLifecycle',
  summary: "One call's life across callbacks, joined on sid",
  description:
    'Answers for any sid a Notify, an Agent Call Status or a Call Event carried (a call notified but not ended yet has call: null). ' +
    'timeline: every delivery and Notify relay attempt in time order. push_diagnosis: for a call that ended with PUSH_ERROR ' +
    '(disconnect_reason 1302 or call_end_reason 1020), where it came from.',
  params: SID_PARAMS,
  response: {
    200: answer({
      type: 'object',
      required: ['sid', 'lifecycle', 'notify', 'agent_call_status', 'call', 'notify_relays', 'deliveries', 'timeline', 'push_diagnosis'],
      properties: {
        sid: { type: 'string' },
        lifecycle: LIFECYCLE,
        notify: ref('StoredNotify'),
        agent_call_status: ref('StoredAgentCallStatus'),
        call: { anyOf: [ref('Call'), { type: 'null' }] },
        notify_relays: { type: 'array', items: ref('NotifyRelayAttempt') },
        deliveries: { type: 'array', items: ref('Delivery') },
        timeline: { type: 'array', items: TIMELINE_ENTRY },
        push_diagnosis: {
          type: ['object', 'null'],
          required: ['verdict', 'explanation'],
          properties: {
            verdict: { type: 'string', enum: ['notify_not_received', 'push_handler', 'other'] },
            explanation: { type: 'string' },
          },
        },
      },
    }, "the sid's life"),
    ...SID_ERRORS,
  },
};

export const LIFECYCLE_LIST_SCHEMA: Schema = {
  tags: ['calls'],
  operationId: 'listLifecycle',
  summary: 'Calls whose life has a gap: end_missing or notify_missing',
  description:
    'end_missing: a Notify arrived and no Call Event within CALL_EVENT_DEADLINE (newest Notify first). notify_missing: a Call Event ' +
    'for a call set up after the first Notify callevt ever received, without a Notify (empty while Notify is not routed to callevt).',
  querystring: {
    type: 'object',
    required: ['state'],
    properties: { state: { type: 'string', enum: ['end_missing', 'notify_missing'] }, limit: { type: 'string', description: `1..${MAX_LIFECYCLE_PAGE}, default ${DEFAULT_LIFECYCLE_PAGE}` } },
  },
  response: {
    200: answer({
      type: 'object',
      required: ['state', 'items'],
      properties: {
        state: { type: 'string' },
        items: {
          type: 'array',
          items: {
            type: 'object',
            required: ['sid', 'from_service_id', 'from_user_id', 'to_service_id', 'to_user_id', 'type', 'notified_at', 'setup_time', 'ended_at'],
            properties: {
              sid: { type: 'string' },
              from_service_id: { type: 'string' },
              from_user_id: { type: 'string' },
              to_service_id: { type: 'string' },
              to_user_id: { type: 'string' },
              type: { type: 'string' },
              notified_at: time('when the Notify was received (end_missing)'),
              setup_time: nullable('integer', { description: 'Unix seconds (notify_missing)' }),
              ended_at: time('when the Call Event was received (notify_missing)'),
            },
          },
        },
      },
    }, 'the calls, newest first'),
    ...READ_ERRORS,
  },
};
