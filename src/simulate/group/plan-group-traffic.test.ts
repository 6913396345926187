import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupCallEventKeyOf } from '../../domain/canonical-group-call-event.js';
import { parseGroupCallEvent } from '../../domain/parse-group-call-event.js';
import { DEFAULT_GROUP_TRAFFIC, type GroupTrafficOptions } from './group-traffic-options.js';
import { planGroupTraffic } from './plan-group-traffic.js';
import { stayFatesWith } from './stay-fates.js';

const TRAFFIC: GroupTrafficOptions = { ...DEFAULT_GROUP_TRAFFIC, seed: 'group-plan', epoch: 1_800_000_000, rooms: 60, duplicateShare: 0.2, legacyShare: 0.3 };

function keyCounts(keys: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

describe('planGroupTraffic', () => {
  it('when the seed and epoch are the same, then the plan is the same request for request; another seed gives another', () => {
    assert.deepEqual(planGroupTraffic(TRAFFIC), planGroupTraffic(TRAFFIC));
    assert.notEqual(planGroupTraffic({ ...TRAFFIC, seed: 'other' }).deliveries[0]?.query, planGroupTraffic(TRAFFIC).deliveries[0]?.query);
  });

  it('when events are shuffled and partly duplicated, then the deliveries carry exactly the distinct keys of the rooms\' events, each once or twice', () => {
    const plan = planGroupTraffic(TRAFFIC);
    const eventKeys = plan.rooms.flatMap((room) => room.events.map(groupCallEventKeyOf));
    const counts = keyCounts(plan.deliveries.map((d) => d.key));
    assert.deepEqual([...counts.keys()].sort(), [...new Set(eventKeys)].sort());
    assert.equal(new Set(eventKeys).size, eventKeys.length);
    assert.ok([...counts.values()].every((n) => n === 1 || n === 2));
    const duplicates = plan.deliveries.filter((d) => d.role === 'duplicate').length;
    assert.equal(plan.deliveries.length, eventKeys.length + duplicates);
    assert.ok(duplicates > 0.1 * eventKeys.length && duplicates < 0.3 * eventKeys.length, `${duplicates} duplicates of ${eventKeys.length}`);
  });

  it('when the reorder window is 30 s, then some events of a room arrive before earlier ones, in send-time order; with 0 every room arrives in time order', () => {
    const swappedIn = (options: GroupTrafficOptions) => {
      const plan = planGroupTraffic(options);
      assert.ok(plan.deliveries.every((d, i, all) => i === 0 || d.at >= (all[i - 1]?.at ?? 0)));
      const lastTs = new Map<string, number>();
      let swapped = 0;
      for (const delivery of plan.deliveries) {
        const ts = Number(new URLSearchParams(delivery.query).get('ts'));
        if (ts < (lastTs.get(delivery.sid) ?? 0)) swapped++;
        lastTs.set(delivery.sid, Math.max(ts, lastTs.get(delivery.sid) ?? 0));
      }
      return swapped;
    };
    assert.ok(swappedIn(TRAFFIC) > 0);
    assert.equal(swappedIn({ ...TRAFFIC, reorderWindowMs: 0, duplicateShare: 0 }), 0);
  });

  it('when every delivery is parsed as callevt parses it, then it gives back its planned event, in both shapes', () => {
    const plan = planGroupTraffic(TRAFFIC);
    const events = new Map(plan.rooms.flatMap((room) => room.events.map((e) => [groupCallEventKeyOf(e), e] as const)));
    const shapes = new Set<string>();
    for (const delivery of plan.deliveries) {
      const values = new URLSearchParams(delivery.query);
      const parsed = parseGroupCallEvent(new Map(values));
      if (!parsed.ok) assert.fail(`${delivery.query}: ${JSON.stringify(parsed.problems)}`);
      assert.deepEqual(parsed.value, events.get(delivery.key));
      assert.equal(values.has('mediaType'), delivery.shape === 'legacy');
      shapes.add(delivery.shape);
    }
    assert.deepEqual([...shapes].sort(), ['current', 'legacy']);
  });

  it('when rooms start, then they start within the span before the epoch', () => {
    const plan = planGroupTraffic(TRAFFIC);
    const to = TRAFFIC.epoch * 1000;
    assert.ok(plan.rooms.every((room) => (room.events[0]?.ts ?? 0) >= to - TRAFFIC.spanSec * 1000 && (room.events[0]?.ts ?? to) < to));
  });

  it('when the kick share is set to 1, then every guest stay is kicked; unset shares keep the generator\'s mix', () => {
    const plan = planGroupTraffic({ ...TRAFFIC, room: { ...TRAFFIC.room, rejoinShare: 0, fates: stayFatesWith({ kicked: 1 }) } });
    const guests = plan.rooms.flatMap((room) => room.stays.filter((s) => s.startsWith('guest-')));
    assert.ok(guests.length > 0 && guests.every((s) => s.endsWith(':kicked')), guests.join(' '));
    const mix = stayFatesWith({ failed_to_join: 0.5 });
    assert.equal(mix.reduce((sum, f) => sum + f.weight, 0).toFixed(9), '1.000000000');
    assert.equal(mix.find((f) => f.status === 'failed_to_join')?.weight, 0.5);
    assert.throws(() => stayFatesWith({ kicked: 0.7, timed_out: 0.5 }), /more than 1/);
  });
});
