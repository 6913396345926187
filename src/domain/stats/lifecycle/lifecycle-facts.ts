/**
 * What the lifecycle statistics read of one sid's stored callbacks (docs/spec/outcomes.md §3):
 * its Notify, Call Event, relay attempts and Agent Call Status, each null or empty when absent.
 * Times: `receivedAt` and `attemptedAt` in Unix ms, `setupTime` in Unix seconds (as stored).
 */
export interface LifecycleFacts {
  sid: string;
  notify: { receivedAt: number; endMissing: boolean } | null;
  call: { setupTime: number; disconnectReason: number | null; callEndReason: number | null } | null;
  /** In the order they were attempted (attempted_at, then id). */
  relays: ReadonlyArray<{ attemptedAt: number; outcome: string; latencyMs: number }>;
  agentCallStatus: { receivedAt: number; result: string; failReason: string | null } | null;
}

/** The relay outcomes, in the order the answers list them. */
export const RELAY_OUTCOMES = ['ok', 'http_error', 'timeout', 'unreachable'] as const;
