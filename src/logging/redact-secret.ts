/** What stands in the place of the callback secret in anything recorded or logged. */
export const SECRET_PLACEHOLDER = '[secret]';

/** Most rounds of percent-decoding tried: each round shortens the text, this only bounds the work. */
const MAX_DECODE_ROUNDS = 8;
const PERCENT_ESCAPE = /%([0-9A-Fa-f]{2})/g;

/** Removes the callback secret from text that is about to be logged. */
export interface SecretRedactor {
  /** Replaces the secret in a URL or path, whatever its encoding; a URL without it comes back unchanged. */
  redactUrl(url: string): string;
  /**
   * Redacts one serialized log line. A line that still holds the secret in a form
   * that cannot be replaced in place (escapes nested in escapes) is withheld: only its
   * level and time are kept.
   */
  redactLine(line: string): string;
}

/**
 * A redactor for one secret. It matches the secret anywhere, not only as a whole path
 * segment: `x<secret>`, `<secret>;x`, and every character either raw or percent-encoded
 * (upper- or lower-case hex, `%25` repeated for each further round of encoding). What
 * remains is checked once more after decoding every escape, so no log line holds the
 * secret in any percent-encoded form.
 *
 * @example createSecretRedactor('abc…').redactUrl('/callbacks/x%61bc…/call-event') // '/callbacks/x[secret]/call-event'
 */
export function createSecretRedactor(secret: string): SecretRedactor {
  const pattern = secretPattern(secret);
  const redact = (text: string) => text.replace(pattern, SECRET_PLACEHOLDER);
  const stillHolds = (text: string) => text.includes('%') && fullyPercentDecode(text).includes(secret);
  return {
    redactUrl(url) {
      const redacted = redact(url);
      if (!stillHolds(redacted)) return redacted;
      // Decoded, the placeholder's brackets cannot join with the secret's characters: no occurrence is left.
      return fullyPercentDecode(redacted).replaceAll(secret, SECRET_PLACEHOLDER);
    },
    redactLine(line) {
      const redacted = redact(line);
      return stillHolds(redacted) ? withheldLine(redacted) : redacted;
    },
  };
}

/** The secret as a pattern: each character raw or as a percent escape, encoded any number of times. */
function secretPattern(secret: string): RegExp {
  const parts = [...secret].map((char) => {
    const hex = char.charCodeAt(0).toString(16).padStart(2, '0');
    const hexPattern = [...hex].map((digit) => (/[a-f]/.test(digit) ? `[${digit}${digit.toUpperCase()}]` : digit)).join('');
    return `(?:${escapeRegExp(char)}|%(?:25)*${hexPattern})`;
  });
  return new RegExp(parts.join(''), 'g');
}

/** Decodes `%XX` escapes, as bytes, until none is left (or the bound is reached). */
export function fullyPercentDecode(text: string): string {
  let current = text;
  for (let round = 0; round < MAX_DECODE_ROUNDS; round++) {
    const next = current.replace(PERCENT_ESCAPE, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    if (next === current) return current;
    current = next;
  }
  return current;
}

function withheldLine(line: string): string {
  let level: unknown = 30;
  let time: unknown = null;
  try {
    ({ level, time } = JSON.parse(line) as { level?: unknown; time?: unknown });
  } catch {
    // Not JSON: keep the defaults.
  }
  return `${JSON.stringify({ level, time, msg: 'a log line was withheld: it held the callback secret in a form that could not be redacted' })}\n`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
}
