/** Bits of an IPv4 address kept by truncation (a /24 network). */
export const KEPT_IPV4_BITS = 24;
/** Bits of an IPv6 address kept by truncation (a /48 network). */
export const KEPT_IPV6_BITS = 48;

/**
 * The network part of an address: IPv4 to its /24 (`192.0.2.77` → `192.0.2.0`), IPv6 to
 * its /48 (`2001:db8:1:2::5` → `2001:db8:1::`, `2001:db8::1` → `2001:db8::`), an IPv4-mapped IPv6 address as IPv4
 * inside its prefix. Idempotent. Text that is not an address becomes '' (it could be
 * anything, so nothing of it is kept); '' stays ''.
 *
 * @example truncateIp('198.51.100.23') // '198.51.100.0'
 */
export function truncateIp(text: string): string {
  const ip = text.trim();
  if (ip === '') return '';
  const v4 = truncateIpv4(ip);
  if (v4 !== null) return v4;
  const mapped = /^(.*:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(ip);
  if (mapped !== null && /^(::ffff:|0:0:0:0:0:ffff:)$/i.test(mapped[1] ?? '')) {
    const inner = truncateIpv4(mapped[2] ?? '');
    return inner === null ? '' : `${(mapped[1] ?? '').toLowerCase()}${inner}`;
  }
  const groups = ipv6Groups(ip.replace(/%.*$/, ''));
  if (groups === null) return '';
  const kept = groups.slice(0, KEPT_IPV6_BITS / 16);
  // Trailing zero groups belong to the '::' that follows.
  while (kept.at(-1) === 0) kept.pop();
  return `${kept.map((g) => g.toString(16)).join(':')}::`;
}

function truncateIpv4(ip: string): string | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (m === null) return null;
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return null;
  return `${octets.slice(0, KEPT_IPV4_BITS / 8).join('.')}.0`;
}

/** The eight 16-bit groups of an IPv6 address, or null when it is not one. */
function ipv6Groups(ip: string): number[] | null {
  if (!/^[0-9a-f:]+$/i.test(ip) || ip.split('::').length > 2) return null;
  const [head = '', tail] = ip.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':'));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return null;
  const all = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right];
  if (all.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return null;
  return all.map((g) => Number.parseInt(g, 16));
}
