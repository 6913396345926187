import type { CallType } from './call-event.js';
import type { Outcome } from './classify/call-status.js';
import type { EndedBy } from './classify/release-codes.js';

/**
 * Which calls a list, an export or a statistic covers. Shared by the call log and the
 * statistics, so both read the same filters with the same rules and errors.
 * Times are Unix seconds; `from` is inclusive and `to` exclusive, on `time_field`.
 */
export interface CallFilter {
  from?: number;
  to?: number;
  time_field: 'setup_time' | 'end_time';
  /** Either party. */
  user?: string;
  from_user_id?: string;
  to_user_id?: string;
  from_service_id?: string;
  to_service_id?: string;
  type?: CallType;
  /** Any of these outcomes. */
  outcome?: Outcome[];
  reason?: string;
  ended_by?: EndedBy;
  min_duration?: number;
  max_duration?: number;
}
