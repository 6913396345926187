/** The callbacks callevt receives, by the last segment of their path. */
export type CallbackName = 'call-event' | 'notify' | 'agent-call-status';

/**
 * Which callback a recorded request was, from its path (`/callbacks/notify`,
 * `/callbacks/[secret]/notify`, …): the path is kept in every raw request, so this holds
 * for rows written before the other callbacks existed too (they are all `call-event`).
 */
export function callbackOfPath(path: string): CallbackName {
  if (path.endsWith('/notify')) return 'notify';
  if (path.endsWith('/agent-call-status')) return 'agent-call-status';
  return 'call-event';
}
