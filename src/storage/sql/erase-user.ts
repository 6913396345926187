import { randomBytes } from 'node:crypto';
import type { ErasureReceipt, ErasureRequest } from '../port.js';
import type { ErasureContext } from './erase-steps.js';
import { PERSONAL_DATA_PLACES } from './personal-data.js';
import { type SqlDialectName, type SqlStepRunner, type SqlSteps, sql } from './sql-steps.js';

/** A fresh random id that replaces the user in one erasure: it links their calls to each other, never to them. */
export function newPseudonym(): string {
  return `erased-${randomBytes(12).toString('hex')}`;
}

/**
 * Erases a user from every place of PERSONAL_DATA_PLACES and records the audit row, all
 * in one transaction: either every trace goes, or none does.
 */
export function eraseUser(runner: SqlStepRunner, request: ErasureRequest): Promise<ErasureReceipt> {
  return runner.transaction(() => eraseSteps(runner.dialect, request, request.pseudonym ?? newPseudonym()));
}

function* eraseSteps(dialect: SqlDialectName, request: ErasureRequest, pseudonym: string): SqlSteps<ErasureReceipt> {
  const ctx: ErasureContext = { dialect, target: request.target, pseudonym, sids: new Set(), rawRequestIds: new Set() };
  const touched: Record<string, number> = {};
  for (const place of PERSONAL_DATA_PLACES) {
    if (place.erase !== undefined) touched[place.table] = yield* place.erase(ctx);
  }
  const { rows } = yield sql(
    'INSERT INTO erasures (erased_at, actor, service_id, touched) VALUES (?, ?, ?, ?) RETURNING id',
    request.now, request.actor, request.target.serviceId, JSON.stringify(touched),
  );
  return { id: Number(rows[0]?.id), erased_at: request.now, touched };
}
