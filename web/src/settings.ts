/** The time zone the dashboard shows times in: kept in localStorage (it is not a secret). */
const TZ_KEY = 'callevt.timeZone';

/** Zones offered in the picker; the browser's own zone is added when it is not listed. */
export const COMMON_TIME_ZONES = [
  'UTC', 'Asia/Tokyo', 'Asia/Seoul', 'Asia/Taipei', 'Asia/Bangkok', 'Asia/Singapore', 'Asia/Kolkata',
  'Europe/London', 'Europe/Paris', 'America/New_York', 'America/Los_Angeles',
];

export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export function timeZone(): string {
  const stored = localStorage.getItem(TZ_KEY);
  return stored !== null && isTimeZone(stored) ? stored : 'UTC';
}

export function setTimeZone(value: string): void {
  if (isTimeZone(value)) localStorage.setItem(TZ_KEY, value);
}

export function timeZoneChoices(): string[] {
  const own = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const current = timeZone();
  return [...new Set([...COMMON_TIME_ZONES, own, current])];
}
