import { APP_DATA_KEYS, CALL_SIDES, type ErasureTarget, GROUP_PARTICIPANT_DATA_KEYS, groupSidesNamingTarget, sideNamesTarget } from './erasure-target.js';
import { truncateIp } from './truncate-ip.js';

// A conflicting version is stored as canonical JSON (canonical-event.ts:
// `{"known":[[field,value],…],"extra":[[key,value],…]}`). These rewrite it in place.

interface Canonical {
  known: Array<[string, unknown]>;
  extra: Array<[string, unknown]>;
}

/**
 * Removes a target from a canonical event: on each side that names it, the user id
 * becomes `pseudonym` and the IP is emptied; the app's data and the unknown keys go.
 * Unchanged when no side names the target.
 */
export function eraseTargetFromCanonicalEvent(text: string, target: ErasureTarget, pseudonym: string): { text: string; namesTarget: boolean } {
  const event = JSON.parse(text) as Canonical;
  const known = new Map(event.known);
  const sides = CALL_SIDES.filter((s) => sideNamesTarget((k) => known.get(k), s, target));
  if (sides.length === 0) return { text, namesTarget: false };
  const rewritten: Canonical = {
    known: event.known.map(([key, value]) => {
      if (sides.some((s) => s.user === key)) return [key, pseudonym];
      if (sides.some((s) => s.ip === key)) return [key, ''];
      if ((APP_DATA_KEYS as readonly string[]).includes(key)) return [key, null];
      return [key, value];
    }),
    extra: [],
  };
  return { text: JSON.stringify(rewritten), namesTarget: true };
}

/** Truncates the srcip and dstip of a canonical event (truncate-ip.ts). */
export function truncateIpsInCanonicalEvent(text: string): string {
  const event = JSON.parse(text) as Canonical;
  let changed = false;
  const known = event.known.map(([key, value]): [string, unknown] => {
    if (!CALL_SIDES.some((s) => s.ip === key) || typeof value !== 'string') return [key, value];
    const truncated = truncateIp(value);
    if (truncated !== value) changed = true;
    return [key, truncated];
  });
  return changed ? JSON.stringify({ ...event, known }) : text;
}

/**
 * Removes a target from a group event's canonical form: as participant, its user id becomes
 * `pseudonym` and its name, the app's data and the unknown keys go; as host, its id alone.
 */
export function eraseTargetFromGroupCanonicalEvent(text: string, target: ErasureTarget, pseudonym: string): { text: string; namesTarget: boolean } {
  const event = JSON.parse(text) as Canonical;
  const known = new Map(event.known);
  const sides = groupSidesNamingTarget((key) => known.get(key), target);
  if (sides.length === 0) return { text, namesTarget: false };
  const participant = sides.some((s) => s.user === 'user_id');
  const rewritten: Canonical = {
    known: event.known.map(([key, value]) => {
      if (sides.some((s) => s.user === key)) return [key, pseudonym];
      if (participant && (GROUP_PARTICIPANT_DATA_KEYS as readonly string[]).includes(key)) return [key, null];
      return [key, value];
    }),
    extra: participant ? [] : event.extra,
  };
  return { text: JSON.stringify(rewritten), namesTarget: true };
}
