import { ABSENT_OPTIONAL_FIELDS, type CallEvent, type CallType } from '../domain/call-event.js';
import { OUTCOMES, type Outcome } from '../domain/classify/call-status.js';
import { CURRENT_SCENARIOS, type EndScenario, LEGACY_SCENARIOS } from './end-scenarios.js';
import type { Random } from './random.js';
import type { TrafficOptions } from './traffic-options.js';

/** The longest call LINE Planet allows in this simulation, in seconds (MAX_CALL_TIME_EXCEEDED). */
export const MAX_CALL_TIME_SEC = 7_200;
/** LINE Planet gives up ringing after this many seconds (NOANSWER). */
export const NO_ANSWER_AFTER_SEC = 60;

/** One simulated call, as the first (authoritative) callback reports it. */
export interface SimulatedCall {
  event: CallEvent;
  shape: 'current' | 'legacy';
  /** The outcome the scenario was drawn for. */
  intended: Outcome;
  /** end_time lies well before the window: a late delivery. */
  late: boolean;
}

const VOIP_HOSTS = ['voip-a01.planet.example', 'voip-b07.planet.example', 'voip-c12.planet.example'];
const STIDS = ['voip.next', 'voip.next', 'voip.legacy', 'callapp.v1'];

/**
 * Draws one call: parties, media type, outcome with a plausible reason, timing with
 * long-tailed durations and setup-to-answer delays. Pure: everything comes from `random`.
 */
export function generateCall(random: Random, options: TrafficOptions): SimulatedCall {
  const shape = random.chance(options.legacyShare) ? 'legacy' : 'current';
  const intended = random.weighted(OUTCOMES.map((o) => [o, options.outcomeWeights[o]] as const));
  const scenarios = (shape === 'legacy' ? LEGACY_SCENARIOS : CURRENT_SCENARIOS)[intended];
  const scenario = random.weighted(scenarios.map((s) => [s, s.weight] as const));
  const late = random.chance(options.lateShare);
  const connected = intended === 'completed' || intended === 'dropped';
  const timing = drawTiming(random, intended, scenario, options, late);
  const caller = drawParty(random, options);
  let callee = drawParty(random, options, random.chance(0.9) ? caller.service : undefined);
  while (callee.user === caller.user && callee.service === caller.service) callee = drawParty(random, options, caller.service);
  const type: CallType = random.chance(options.videoShare) ? 'V' : 'A';
  const legacy = shape === 'legacy';
  const releaserText = typeof scenario.releaser === 'string'
    ? (scenario.releaser === 'server' ? random.pick(VOIP_HOSTS) : scenario.releaser)
    : null;
  const event: CallEvent = {
    ...ABSENT_OPTIONAL_FIELDS,
    sid: random.uuid(),
    from_service_id: caller.service,
    from_user_id: caller.user,
    to_service_id: callee.service,
    to_user_id: callee.user,
    type,
    stid: legacy ? random.pick(STIDS) : null,
    app_svr_data: !legacy && random.chance(0.4) ? `ctx-${random.int(1, 9_999_999)}` : null,
    setup_time: timing.setup,
    start_time: timing.start,
    end_time: timing.end,
    duration: timing.duration,
    billing_sec: legacy ? null : connected ? timing.duration + (random.chance(0.6) ? 1 : 0) : 0,
    srcip: drawIp(random),
    dstip: drawIp(random),
    terminate: scenario.terminate,
    disconnect_reason: legacy ? null : scenario.code,
    releaser_type: typeof scenario.releaser === 'number' ? scenario.releaser : null,
    call_end_reason: legacy ? scenario.code : null,
    releaser: releaserText,
    rel_code: scenario.relCode,
    rel_code_str: scenario.relCodeStr,
    user_rel_code: scenario.userRelCode ? random.pick(['E_CAMERA_DENIED', 'E_LOW_BATTERY', 'app:kicked']) : null,
    extra: random.chance(options.unknownKeyShare) ? { media_codec: random.pick(['opus', 'h264', 'vp8']) } : {},
  };
  return { event, shape, intended, late };
}

interface Timing { setup: number; start: number; end: number; duration: number }

function drawTiming(random: Random, outcome: Outcome, scenario: EndScenario, options: TrafficOptions, late: boolean): Timing {
  const windowStart = options.epoch - options.spanSec;
  const end = late
    ? windowStart - random.int(3_600, 7 * 86_400)
    : windowStart + random.int(0, options.spanSec - 1);
  if (outcome === 'completed' || outcome === 'dropped') {
    const duration = scenario.untilMaxTime
      ? MAX_CALL_TIME_SEC
      : clamp(Math.round(random.logNormal(outcome === 'dropped' ? 40 : 75, 1.3)), 1, MAX_CALL_TIME_SEC - 1);
    const answerDelay = clamp(Math.round(random.logNormal(5, 0.7)), 1, NO_ANSWER_AFTER_SEC - 1);
    const start = end - duration;
    return { setup: start - answerDelay, start, end, duration };
  }
  const ring = {
    canceled: () => clamp(Math.round(random.logNormal(8, 0.8)), 1, NO_ANSWER_AFTER_SEC - 1),
    rejected: () => clamp(Math.round(random.logNormal(6, 0.7)), 1, NO_ANSWER_AFTER_SEC - 1),
    busy: () => random.int(0, 2),
    no_answer: () => NO_ANSWER_AFTER_SEC + random.int(0, 2),
    failed: () => random.int(0, 5),
  }[outcome]();
  return { setup: end - ring, start: 0, end, duration: 0 };
}

/** Popularity is skewed: a few users make and receive many of the calls. */
function drawParty(random: Random, options: TrafficOptions, service?: string): { service: string; user: string } {
  const chosen = service ?? random.weighted(options.services.map((s, i) => [s, 1 / (i + 1)] as const));
  const n = Math.floor(options.users * random.next() ** 2.5);
  const index = options.services.indexOf(chosen);
  // Services name users differently: numeric ids (as in the seed's example) or handles.
  const user = index % 2 === 0 ? String(1000 + n) : `u_${n.toString(36)}-${index}`;
  return { service: chosen, user };
}

function drawIp(random: Random): string {
  if (random.chance(0.15)) return `2001:db8:${random.int(0, 0xffff).toString(16)}::${random.int(1, 0xffff).toString(16)}`;
  return `${random.pick([1, 27, 49, 58, 61, 103, 110, 175, 203])}.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`;
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n));
}
