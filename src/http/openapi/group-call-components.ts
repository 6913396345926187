import { STAY_ENDS, STAY_STATUSES } from '../../domain/group/stay-status.js';
import { summarizeGroupSessions } from '../../domain/group/summarize-group-sessions.js';
import { SESSION_STATES } from '../../domain/group/parse-group-call-filter.js';

type Schema = Record<string, unknown>;

const ms = (description: string, nullable = false): Schema => ({ type: nullable ? ['integer', 'null'] : 'integer', description: `Unix milliseconds: ${description}` });
const flags: Schema = {
  type: 'array',
  description: 'remarks on signals that disagree or are missing (docs/spec/group-calls.md)',
  items: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } },
};

/** The session fields of a group call, shared by the list (without stays), the one call and the list's filters. */
export const GROUP_SESSION_PROPERTIES = {
  sid: { type: 'string', description: '32 lower-case hexadecimal digits' },
  svc_id: { type: 'string', description: "the room's service id" },
  id: { type: 'string', description: "the room's id" },
  host_svc_id: { type: 'string', description: "the host's service id" },
  host_id: { type: 'string', description: "the host's user id" },
  media_type: { type: 'string', enum: ['A', 'V'] },
  state: { type: 'string', enum: [...SESSION_STATES], description: 'ended: sc=E arrived; end_missing: none within GROUP_END_DEADLINE after the last event' },
  started_at: ms('the first sc=S event, else the first event'),
  ended_at: ms('the first sc=E event; null until it comes', true),
  duration_ms: { type: ['integer', 'null'] },
  end_due_at: ms('when a session without sc=E becomes end_missing; null once ended', true),
  last_event_at: ms("the latest event's ts"),
  participants: { type: 'integer', description: 'distinct participants with a joined stay' },
  peak_online: { type: 'integer', description: 'the largest online count LINE Planet reported' },
  final_online: { type: 'integer', description: 'the online count of the last event' },
  peak_stays: { type: 'integer', description: 'the most stays open at one instant, as rebuilt' },
  event_count: { type: 'integer', description: 'distinct events (one per key)' },
  conflicts: { type: 'integer', description: 'conflicting versions of its events received after the first' },
  flags,
  rules_version: { type: 'integer', description: 'the revision of docs/spec/group-calls.md that built it' },
} satisfies Record<string, Schema>;

/** The fields of a participant stay, shared by the one call and the list's filters. */
export const GROUP_STAY_PROPERTIES = {
  user_svc_id: { type: 'string', description: "the participant's service id" },
  user_id: { type: 'string', description: "the participant's user id" },
  display_name: { type: ['string', 'null'] },
  ue_type: { type: 'string' },
  media_type: { type: 'string', enum: ['A', 'V'] },
  media_changes: {
    type: 'array',
    items: { type: 'object', required: ['ts', 'media_type'], properties: { ts: ms('when the media changed'), media_type: { type: 'string', enum: ['A', 'V'] } } },
  },
  joined_at: ms('null when the stay never joined', true),
  left_at: ms('null while in the room', true),
  duration_ms: { type: ['integer', 'null'] },
  end: { type: 'string', enum: [...STAY_ENDS] },
  disconnect_reason: { type: ['integer', 'null'] },
  releaser_type: { type: ['integer', 'null'] },
  status: { type: 'string', enum: [...STAY_STATUSES] },
  ended_by: { type: 'string' },
  reason: { type: ['string', 'null'], description: 'the disconnect_reason\'s name, or "unknown (N)"' },
  explanation: { type: 'string', description: 'one plain sentence for a support ticket' },
  flags,
} satisfies Record<string, Schema>;

const reasonCounts = (description: string): Schema => ({
  type: 'array',
  description: `${description}, largest count first, then by reason, no reason (null) last`,
  items: { type: 'object', required: ['reason', 'count'], properties: { reason: { type: ['string', 'null'] }, count: { type: 'integer', minimum: 1 } } },
});

/** The schema of each group figure; the names are those summarizeGroupSessions gives (docs/spec/group-calls.md §4). */
function groupFigureSchema(key: string): Schema {
  if (key === 'participant_minutes') return { type: 'number', minimum: 0, description: 'sum of the stays\' durations in minutes' };
  if (key === 'avg_participants') return { type: ['number', 'null'], minimum: 0, description: 'participants per session; null without sessions' };
  if (key.endsWith('_rate')) return { type: ['number', 'null'], minimum: 0, maximum: 1, description: 'fraction in [0,1]; null when the denominator is 0' };
  if (key === 'join_failures_by_reason') return reasonCounts('failed_to_join stays per reason');
  if (key === 'drops_by_reason') return reasonCounts('dropped and timed_out stays per reason');
  if (key.endsWith('_sec')) return { type: ['integer', 'null'], description: 'whole seconds, nearest rank; null without durations' };
  return { type: 'integer', minimum: 0 };
}

const GROUP_FIGURE_KEYS = Object.keys(summarizeGroupSessions([]));

/** The OpenAPI components of group calls (registered with the others in openapi-schemas.ts). */
export const GROUP_CALL_COMPONENTS: Record<string, Schema> = {
  GroupFigures: {
    type: 'object',
    description: 'The group figures of docs/spec/group-calls.md §4 over the sessions that started in a window, bucket or breakdown value.',
    required: GROUP_FIGURE_KEYS,
    properties: Object.fromEntries(GROUP_FIGURE_KEYS.map((key) => [key, groupFigureSchema(key)])),
  },
  GroupCallSummary: {
    type: 'object',
    description: 'A group call (room session) without its stays but with their count per status, rebuilt from every stored event of its sid (docs/spec/group-calls.md §1).',
    required: [...Object.keys(GROUP_SESSION_PROPERTIES), 'stay_counts'],
    properties: {
      ...GROUP_SESSION_PROPERTIES,
      stay_counts: {
        type: 'object',
        description: 'how many of its stays have each status (docs/spec/group-calls.md §3.1), 0 included',
        required: [...STAY_STATUSES],
        properties: Object.fromEntries(STAY_STATUSES.map((status) => [status, { type: 'integer' }])),
      },
    },
  },
  GroupCall: {
    type: 'object',
    description: 'A group call (room session) with every participant stay (docs/spec/group-calls.md §1-3).',
    required: [...Object.keys(GROUP_SESSION_PROPERTIES), 'stays'],
    properties: { ...GROUP_SESSION_PROPERTIES, stays: { type: 'array', items: { $ref: 'GroupStay#' } } },
  },
  GroupStay: {
    type: 'object',
    description: "One participant's time in the room, from a join to a leave, and its status (docs/spec/group-calls.md §2-3).",
    required: Object.keys(GROUP_STAY_PROPERTIES),
    properties: GROUP_STAY_PROPERTIES,
  },
};
