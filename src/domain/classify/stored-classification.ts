import type { CallEvent } from '../call-event.js';
import type { Outcome, ReasonSource } from './call-status.js';
import { classifyCall } from './classify-call.js';
import type { EndedBy } from './release-codes.js';

/** The part of a call's status that is stored with the call (filters and statistics read it). */
export interface ClassificationColumns {
  outcome: Outcome;
  ended_by: EndedBy;
  reason: string;
  reason_source: ReasonSource;
  classifier_version: number;
}

/**
 * Classifies a call and keeps only what is stored with it.
 *
 * @example classificationColumnsOf(event).classifier_version === CLASSIFIER_VERSION // true
 */
export function classificationColumnsOf(call: CallEvent): ClassificationColumns {
  const { outcome, ended_by, reason, reason_source, classifier_version } = classifyCall(call);
  return { outcome, ended_by, reason, reason_source, classifier_version };
}
