/**
 * How long to wait before retry number `retry` (0 for the first): `minMs` doubled after
 * each failure, never more than `maxMs`.
 *
 * @example backoffDelay(0, 250, 5_000) // 250; backoffDelay(3, 250, 5_000) // 2_000
 */
export function backoffDelay(retry: number, minMs: number, maxMs: number): number {
  return Math.min(maxMs, minMs * 2 ** Math.min(retry, 20));
}

/** What a log line may say about an error: its code and message, no connection details. */
export function summarizeError(error: unknown): { code?: string; message: string } {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return {
    ...(typeof code === 'string' ? { code } : {}),
    message: typeof message === 'string' ? message : String(error),
  };
}
