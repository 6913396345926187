import type { CallFilter } from '../call-filter.js';

/** A position in a newest-first call list: the last call's time and id. */
export interface CursorPosition {
  time: number;
  id: number;
}

/** Longest cursor accepted, in characters (a real one is under 60). */
export const MAX_CURSOR_CHARS = 200;
const CURSOR_VERSION = 1;

/**
 * Encodes a list position as an opaque cursor. It names the time field it was made
 * for, so that a cursor cannot silently continue a list ordered by another field.
 */
export function encodeCursor(timeField: CallFilter['time_field'], position: CursorPosition): string {
  return Buffer.from(JSON.stringify([CURSOR_VERSION, timeField, position.time, position.id])).toString('base64url');
}

/** Decodes a cursor made by {@link encodeCursor}; returns the problem as a string. */
export function decodeCursor(cursor: string, timeField: CallFilter['time_field']): CursorPosition | string {
  if (cursor.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(cursor)) return 'is not a cursor this server made';
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return 'is not a cursor this server made';
  }
  if (!Array.isArray(parsed) || parsed.length !== 4 || parsed[0] !== CURSOR_VERSION) return 'is not a cursor this server made';
  const [, field, time, id] = parsed as [unknown, unknown, unknown, unknown];
  if (!Number.isSafeInteger(time) || !Number.isSafeInteger(id)) return 'is not a cursor this server made';
  if (field !== timeField) return `was made for time_field=${String(field)}; repeat the same filters to continue a list`;
  return { time: time as number, id: id as number };
}
