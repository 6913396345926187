/**
 * A count with its noun: singular for exactly one, else the plural (`${noun}s` unless given).
 *
 * @example plural(1, 'call') // '1 call'
 * @example plural(5000, 'call') // '5000 calls'
 * @example plural(3, 'retry', 'retries') // '3 retries'
 */
export function plural(count: number, noun: string, many = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : many}`;
}
