import { classifyCall } from '../domain/classify/classify-call.js';
import type { StatsCall } from '../domain/stats/figures.js';
import type { StoredClassification } from '../storage/port.js';

/** A synthetic call: what statistics read, plus the few other fields seeding stores. */
export interface SeedCall extends StatsCall, StoredClassification {
  sid: string;
  disconnect_reason: number;
  releaser_type: number;
  rel_code_str: string;
}

/** How a synthetic call ends: its codes, whether it connected, and how often it happens. */
interface Scenario {
  weight: number;
  connected: boolean;
  disconnect: number;
  terminate: number;
  relCode: string;
}

// A plausible mix: ~70 % answered, a few % dropped, the rest canceled, declined, busy,
// unanswered or failed, each with its most common reasons.
const SCENARIOS: Scenario[] = [
  { weight: 620, connected: true, disconnect: 1001, terminate: 16, relCode: 'NORMAL' },
  { weight: 10, connected: true, disconnect: 1003, terminate: 16, relCode: 'CELL_CALL' },
  { weight: 2, connected: true, disconnect: 1208, terminate: 16, relCode: 'MAX_CALL_TIME_EXCEEDED' },
  { weight: 30, connected: true, disconnect: 1301, terminate: 16, relCode: 'NETWORK_UNSTABLE' },
  { weight: 10, connected: true, disconnect: 1309, terminate: 16, relCode: 'APP_DESTROY' },
  { weight: 5, connected: true, disconnect: 1308, terminate: 16, relCode: 'UNAVAILABLE_NETWORK' },
  { weight: 3, connected: true, disconnect: 1305, terminate: 16, relCode: 'SERVER_INTERNAL_ERROR' },
  { weight: 90, connected: false, disconnect: 1201, terminate: 77, relCode: 'CANCEL' },
  { weight: 60, connected: false, disconnect: 1002, terminate: 21, relCode: 'DECLINE' },
  { weight: 5, connected: false, disconnect: 1207, terminate: 21, relCode: 'MULTIDEV_DECLINE' },
  { weight: 40, connected: false, disconnect: 1202, terminate: 17, relCode: 'BUSY' },
  { weight: 5, connected: false, disconnect: 1204, terminate: 17, relCode: 'ALREADY_GOT_A_CALL' },
  { weight: 3, connected: false, disconnect: 1205, terminate: 17, relCode: 'MULTIDEV_IN_USE' },
  { weight: 80, connected: false, disconnect: 1203, terminate: 18, relCode: 'NOANSWER' },
  { weight: 15, connected: false, disconnect: 1302, terminate: 127, relCode: 'PUSH_ERROR' },
  { weight: 3, connected: false, disconnect: 1303, terminate: 127, relCode: 'AUTH_ERROR' },
  { weight: 2, connected: false, disconnect: 1507, terminate: 127, relCode: 'SERVICE_HTTP_CONNECTION_TIME_OUT' },
  { weight: 2, connected: false, disconnect: 1512, terminate: 127, relCode: 'SERVICE_TOO_MANY_REQUESTS' },
];
const TOTAL_WEIGHT = SCENARIOS.reduce((s, x) => s + x.weight, 0);
const SERVICES = [['linecorp.com', 60], ['line.me', 25], ['partner.example', 15]] as const;
/** Relative call volume per hour of the (UTC) day: quiet nights, busy evenings. */
export const HOURLY_WEIGHT = [3, 2, 1, 1, 1, 2, 4, 7, 9, 10, 10, 11, 12, 11, 10, 10, 11, 12, 14, 16, 15, 12, 8, 5];

export interface SeedOptions {
  calls: number;
  days: number;
  /** Unix seconds: the seeded window ends here (exclusive). */
  end: number;
  seed: number;
  /** Distinct users; popularity is skewed (a few call a lot). */
  users?: number;
}

/** A small, fast, seeded PRNG (mulberry32): the same seed gives the same calls. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Realistic synthetic calls, hour by hour in setup_time order, as whole hours (so that
 * the caller can compute each hour's rollups from the calls it holds). Sids grow with
 * time, which keeps the sid index append-only while seeding.
 */
export function* generateSeedHours(options: SeedOptions): Generator<SeedCall[]> {
  const random = createRandom(options.seed);
  const users = options.users ?? Math.max(100, Math.min(200_000, Math.round(options.calls / 50)));
  const hours = Math.max(1, Math.round(options.days * 24));
  const firstHour = Math.floor(options.end / 3600) * 3600 - hours * 3600;
  const weights = Array.from({ length: hours }, (_, h) => HOURLY_WEIGHT[(h + firstHour / 3600) % 24] ?? 1);
  const totalWeight = weights.reduce((s, w) => s + w, 0);
  const classifications = new Map<number, StoredClassification>();
  // Made once: the same strings for every call of a user (less work per call than a template each time).
  const names = Array.from({ length: users }, (_, i) => `user${i}`);
  let made = 0;
  let cumulative = 0;
  for (let h = 0; h < hours; h++) {
    cumulative += weights[h] ?? 0;
    const target = Math.round((options.calls * cumulative) / totalWeight);
    const batch: SeedCall[] = [];
    const hourStart = firstHour + h * 3600;
    const sidPrefix = seedSidPrefix(hourStart);
    for (; made < target; made++) batch.push(seedCall(random, hourStart, sidPrefix, made, names, classifications));
    yield batch;
  }
}

function pick<T>(random: () => number, weighted: ReadonlyArray<readonly [T, number]>, total: number): T {
  let r = random() * total;
  for (const [value, w] of weighted) {
    r -= w;
    if (r < 0) return value;
  }
  return (weighted.at(-1) as readonly [T, number])[0];
}

function seedCall(
  random: () => number, hourStart: number, sidPrefix: string, index: number, names: readonly string[], cache: Map<number, StoredClassification>,
): SeedCall {
  const users = names.length;
  let r = random() * TOTAL_WEIGHT;
  let scenario = SCENARIOS[0] as Scenario;
  for (const s of SCENARIOS) {
    r -= s.weight;
    if (r < 0) {
      scenario = s;
      break;
    }
  }
  const setup = hourStart + Math.floor(random() * 3600);
  const fromService = pick(random, SERVICES, 100);
  const toService = random() < 0.9 ? fromService : pick(random, SERVICES, 100);
  // Skewed popularity: u^3 puts most calls on a few users.
  const caller = Math.floor(users * random() ** 3);
  const callee = Math.floor(users * random() ** 2);
  let start = 0;
  let duration = 0;
  let end: number;
  if (scenario.connected) {
    start = setup + 2 + Math.floor(random() * random() * 40);
    // Log-normal around a minute, with a long tail; one in ten is a short call.
    duration = random() < 0.1 ? 1 + Math.floor(random() * 9) : Math.min(4 * 3600, Math.round(Math.exp(Math.log(60) + 1.2 * gaussian(random))));
    end = start + duration;
  } else {
    end = setup + Math.floor(random() * 60);
  }
  const releaserType = scenario.disconnect === 1002 || scenario.disconnect === 1202 || scenario.disconnect === 1203
    ? 1 : scenario.terminate === 127 || scenario.disconnect === 1305 ? 4 : random() < 0.5 ? 1 : 2;
  // The stored classification depends only on the codes and on being connected: classify each kind once.
  const key = scenario.disconnect * 64 + releaserType * 2 + (scenario.connected ? 1 : 0);
  let c = cache.get(key);
  if (c === undefined) {
    const s = classifyCall({
      setup_time: setup, start_time: start, end_time: end, duration, billing_sec: duration, terminate: scenario.terminate,
      disconnect_reason: scenario.disconnect, releaser_type: releaserType, call_end_reason: null, releaser: null,
    });
    c = { outcome: s.outcome, ended_by: s.ended_by, reason: s.reason, reason_source: s.reason_source, classifier_version: s.classifier_version };
    cache.set(key, c);
  }
  return {
    sid: seedSid(sidPrefix, index),
    from_service_id: fromService,
    from_user_id: names[caller] as string,
    to_service_id: toService,
    to_user_id: names[callee === caller ? (callee + 1) % users : callee] as string,
    type: random() < 0.3 ? 'V' : 'A',
    setup_time: setup,
    start_time: start,
    end_time: end,
    duration,
    billing_sec: duration,
    terminate: scenario.terminate,
    disconnect_reason: scenario.disconnect,
    releaser_type: releaserType,
    rel_code_str: scenario.relCode,
    outcome: c.outcome,
    ended_by: c.ended_by,
    reason: c.reason,
    reason_source: c.reason_source,
    classifier_version: c.classifier_version,
  };
}

/** The first part of an hour's sids: the hour as 8 hex digits. */
function seedSidPrefix(hourStart: number): string {
  return (hourStart / 3600).toString(16).padStart(8, '0');
}

/** A UUID-shaped sid that sorts by time: hour (8 hex), then a running number. */
function seedSid(prefix: string, index: number): string {
  const n = index.toString(16).padStart(16, '0');
  return `${prefix}-${n.slice(0, 4)}-4${n.slice(4, 7)}-8${n.slice(7, 10)}-5eed${n.slice(10, 16)}00`;
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/**
 * The seed's calls in chunks of whole hours, each of at least `chunkCalls` calls (but the
 * last): one chunk is one transaction, and its rollup cells are its hours' rollups.
 */
export function* generateSeedChunks(options: SeedOptions, chunkCalls: number): Generator<SeedCall[]> {
  let chunk: SeedCall[] = [];
  for (const hour of generateSeedHours(options)) {
    for (const call of hour) chunk.push(call);
    if (chunk.length >= chunkCalls) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}
