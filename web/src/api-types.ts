/**
 * The API's answers under the names the dashboard uses. Every type here is generated from
 * the server's OpenAPI document (src/http/openapi/generated/api.ts, rewritten by
 * `npm run generate:api-types`); none is written by hand.
 */
import type { Answer, Schema } from '../../src/http/openapi/generated/api.js';

export { CALL_EVENT_FIELDS as CALL_FIELDS, ENDED_BY, OUTCOMES } from '../../src/http/openapi/generated/api.js';

/** The figures of docs/spec/outcomes.md §2, under their exact API names. */
export type Figures = Schema<'Figures'>;
export type SummaryAnswer = Answer<'getStatsSummary'>;
export type TimeseriesAnswer = Answer<'getStatsTimeseries'>;
export type Bucket = TimeseriesAnswer['bucket'];
export type BreakdownAnswer = Answer<'getStatsBreakdown'>;
export type BreakdownBy = BreakdownAnswer['by'];
export type CallStatus = Schema<'CallStatus'>;
export type DecodedCode = NonNullable<CallStatus['decoded']['terminate']>;
/** A call as GET /api/calls/:sid answers it. */
export type CallJson = Schema<'Call'>;
export type CallPage = Answer<'listCalls'>;
export type QuarantineEntry = Schema<'QuarantineEntry'>;
export type QuarantinePage = Answer<'listQuarantine'>;
/** What POST /api/quarantine/replay did, or in a dry run would do. */
export type ReplayAnswer = Answer<'replayQuarantine'>;
/** One delivery, as GET /api/calls/:sid/deliveries lists it. */
export type DeliveryJson = Schema<'Delivery'>;
/** One conflicting version, as GET /api/calls/:sid/conflicts lists it. */
export type ConflictJson = Schema<'ConflictingVersion'>;
/** The Call Event relay's outbox at a glance, and its dead letters. */
export type RelayStatus = Answer<'getRelayStatus'>;
export type DeadLetterPage = Answer<'listRelayDeadLetters'>;
export type DeadLetter = DeadLetterPage['items'][number];
export type RetryAnswer = Answer<'retryRelayDeadLetters'>;
/** The body of every error answer. */
export type ErrorBody = Schema<'Error'>;
/** One sid's life across callbacks, as GET /api/calls/:sid/lifecycle answers it. */
export type CallLifeJson = Answer<'getCallLifecycle'>;
/** Calls with a gap in their life, as GET /api/lifecycle answers it. */
export type LifecycleListJson = Answer<'listLifecycle'>;
/** The call lifecycle figures of a window (docs/spec/outcomes.md §3), and per bucket. */
export type LifecycleStatsJson = Answer<'getLifecycleStats'>;
export type LifecycleSeriesJson = Answer<'getLifecycleTimeseries'>;
/** A group call (room session) as GET /api/group-calls lists it, with its stays counted by status. */
export type GroupCallSummary = Schema<'GroupCallSummary'>;
export type GroupCallPage = Answer<'listGroupCalls'>;
/** A group call with every participant stay, as GET /api/group-calls/:sid answers it. */
export type GroupCallJson = Answer<'getGroupCall'>;
/** One participant's time in a room (docs/spec/group-calls.md §2-3). */
export type GroupStay = Schema<'GroupStay'>;
export type StayStatus = GroupStay['status'];
export type SessionState = GroupCallSummary['state'];
/** The group figures of docs/spec/group-calls.md §4, over a window and per bucket. */
export type GroupFigures = Schema<'GroupFigures'>;
export type GroupStatsJson = Answer<'getGroupStatsSummary'>;
export type GroupSeriesJson = Answer<'getGroupStatsTimeseries'>;
