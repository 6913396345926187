import { CALL_EVENT_FIELDS } from '../call-event.js';
import { GROUP_CALL_EVENT_FIELDS, LEGACY_MEDIA_TYPE_KEY } from '../group-call-event.js';
import { APP_DATA_KEYS, CALL_SIDES, type ErasureTarget, GROUP_PARTICIPANT_DATA_KEYS, GROUP_USER_SIDES, groupSidesNamingTarget, sideNamesTarget } from './erasure-target.js';
import { truncateIp } from './truncate-ip.js';

// Raw requests keep the query string and body exactly as sent. These rewrite that text
// for an erasure or an IP truncation; everything else in it stays as it was read.

type Pair = [key: string, value: string];

const KNOWN_KEYS: ReadonlySet<string> = new Set(CALL_EVENT_FIELDS);
const GROUP_KEYS: ReadonlySet<string> = new Set([...GROUP_CALL_EVENT_FIELDS, LEGACY_MEDIA_TYPE_KEY]);
const IP_KEYS = new Set<string>(CALL_SIDES.map((s) => s.ip));

/**
 * Removes a target from raw form text (a query string or a form body). When a side
 * names the target (erasure-target.ts), that side's user id becomes `pseudonym`, its IP
 * is emptied, and the app's data and unknown keys go. Text without a readable user id pair
 * that still contains the user id (a malformed request, a JSON body) is emptied whole.
 *
 * @example eraseTargetFromForm('from_user_id=a&srcip=192.0.2.1', { serviceId: 's', userId: 'a' }, 'p').text // 'from_user_id=p&srcip='
 */
export function eraseTargetFromForm(text: string, target: ErasureTarget, pseudonym: string): { text: string; namesTarget: boolean } {
  const pairs = decodeLeniently(text);
  const first = new Map<string, string>();
  for (const [k, v] of pairs) if (!first.has(k)) first.set(k, v);
  const sides = CALL_SIDES.filter((s) => sideNamesTarget((k) => first.get(k), s, target));
  const groupSides = groupSidesNamingTarget((k) => first.get(k), target);
  if (sides.length === 0 && groupSides.length > 0) return { text: encodeForm(eraseFromGroupPairs(pairs, groupSides, target, pseudonym)), namesTarget: true };
  if (sides.length === 0) {
    // Readable user ids that are someone else's: not the target. None readable: judge by the text itself.
    const readable = CALL_SIDES.some((s) => first.has(s.user)) || GROUP_USER_SIDES.some((s) => first.has(s.user));
    return !readable && containsUserId(text, target.userId) ? { text: '', namesTarget: true } : { text, namesTarget: false };
  }
  const out: Pair[] = [];
  for (const [key, value] of pairs) {
    if (!KNOWN_KEYS.has(key) || (APP_DATA_KEYS as readonly string[]).includes(key)) continue;
    if (sides.some((s) => s.user === key && value === target.userId)) out.push([key, pseudonym]);
    else if (sides.some((s) => s.ip === key)) out.push([key, '']);
    else out.push([key, value]);
  }
  return { text: encodeForm(out), namesTarget: true };
}

/**
 * A Group Call Event's pairs without the target: each id of theirs becomes `pseudonym`; as
 * participant their name, the app's data and unknown keys go too; as host, the id alone.
 */
function eraseFromGroupPairs(pairs: readonly Pair[], sides: ReturnType<typeof groupSidesNamingTarget>, target: ErasureTarget, pseudonym: string): Pair[] {
  const participant = sides.some((s) => s.user === 'user_id');
  const out: Pair[] = [];
  for (const [key, value] of pairs) {
    if (participant && (!GROUP_KEYS.has(key) || (GROUP_PARTICIPANT_DATA_KEYS as readonly string[]).includes(key))) continue;
    out.push(sides.some((s) => s.user === key && value === target.userId) ? [key, pseudonym] : [key, value]);
  }
  return out;
}

/** Truncates the srcip and dstip values of raw form text (truncate-ip.ts); other text is left as sent. */
export function truncateIpsInForm(text: string): string {
  if (!text.includes('ip=')) return text;
  const pairs = decodeLeniently(text);
  let changed = false;
  const out = pairs.map(([key, value]): Pair => {
    if (!IP_KEYS.has(key)) return [key, value];
    const truncated = truncateIp(value);
    if (truncated !== value) changed = true;
    return [key, truncated];
  });
  return changed ? encodeForm(out) : text;
}

/** Whether text holds a user id as sent, percent-encoded or form-encoded. */
export function containsUserId(text: string, userId: string): boolean {
  const encoded = encodeURIComponent(userId);
  return text.includes(userId) || text.includes(encoded) || text.toLowerCase().includes(encoded.toLowerCase()) || text.includes(encoded.replace(/%20/g, '+'));
}

/** Pairs of form text; a part that does not decode is kept as sent. */
function decodeLeniently(text: string): Pair[] {
  const pairs: Pair[] = [];
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    pairs.push([decode(eq === -1 ? part : part.slice(0, eq)), decode(eq === -1 ? '' : part.slice(eq + 1))]);
  }
  return pairs;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

function encodeForm(pairs: readonly Pair[]): string {
  return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}
