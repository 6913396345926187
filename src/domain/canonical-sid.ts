/**
 * The form a sid is stored and looked up in. A sid is a UUID, and UUIDs are
 * case-insensitive (RFC 9562 §4): `6364E8B3-…` and `6364e8b3-…` name one call. The lower
 * case is the canonical form (RFC 9562 asks for lower case on output). The raw request
 * keeps the bytes as received.
 *
 * @example canonicalSid('6364E8B3-BDAC-436E-9631-0BCE2498CE0C') // '6364e8b3-bdac-436e-9631-0bce2498ce0c'
 */
export function canonicalSid(sid: string): string {
  return sid.toLowerCase();
}
