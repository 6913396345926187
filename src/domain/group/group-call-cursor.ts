/** A position in a newest-first group call list: the last session's start and sid. */
export interface GroupCursorPosition {
  started_at: number;
  sid: string;
}

/** Longest cursor accepted, in characters (a real one is under 80). */
const MAX_GROUP_CURSOR_CHARS = 200;
const GROUP_CURSOR_VERSION = 1;
const NOT_OURS = 'is not a cursor this server made';

/** Encodes a group list position as an opaque cursor. */
export function encodeGroupCursor(position: GroupCursorPosition): string {
  return Buffer.from(JSON.stringify([GROUP_CURSOR_VERSION, position.started_at, position.sid])).toString('base64url');
}

/** Decodes a cursor made by {@link encodeGroupCursor}; returns the problem as a string. */
export function decodeGroupCursor(cursor: string): GroupCursorPosition | string {
  if (cursor.length > MAX_GROUP_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(cursor)) return NOT_OURS;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return NOT_OURS;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || parsed[0] !== GROUP_CURSOR_VERSION) return NOT_OURS;
  const [, startedAt, sid] = parsed as [unknown, unknown, unknown];
  if (!Number.isSafeInteger(startedAt) || typeof sid !== 'string' || !/^[0-9a-f]{32}$/.test(sid)) return NOT_OURS;
  return { started_at: startedAt as number, sid };
}
