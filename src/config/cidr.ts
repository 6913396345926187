import ipaddr from 'ipaddr.js';

/** A parsed list of networks, e.g. from CALLBACK_ALLOW_CIDRS. */
export interface CidrList {
  readonly source: string;
  contains(address: string): boolean;
}

/**
 * Parses "203.0.113.0/24, 2001:db8::/32, 198.51.100.7" (a bare address is a /32 or /128).
 * IPv4-mapped IPv6 addresses (::ffff:1.2.3.4) match their IPv4 networks.
 */
export function parseCidrList(text: string): { ok: true; list: CidrList } | { ok: false; problem: string } {
  const ranges: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]> = [];
  for (const part of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    try {
      ranges.push(part.includes('/') ? ipaddr.parseCIDR(part) : wholeAddress(part));
    } catch {
      return { ok: false, problem: `"${part}" is not an IP address or CIDR network` };
    }
  }
  if (ranges.length === 0) return { ok: false, problem: 'no network given' };
  return {
    ok: true,
    list: {
      source: text,
      contains(address: string): boolean {
        if (!ipaddr.isValid(address)) return false;
        const addr = ipaddr.process(address);
        return ranges.some(([net, bits]) => addr.kind() === net.kind() && addr.match(net, bits));
      },
    },
  };
}

function wholeAddress(text: string): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  const addr = ipaddr.process(text);
  return [addr, addr.kind() === 'ipv4' ? 32 : 128];
}
