import { type Expression, type RawBuilder, type SelectQueryBuilder, type SqlBool, sql } from 'kysely';
import type { CallFilter } from '../../domain/call-filter.js';

/**
 * The WHERE conditions of a call filter, on the `calls` table (qualified, so they also
 * work in joins). Plain comparisons only, so SQLite and PostgreSQL read them the same.
 */
export function callFilterConditions(filter: CallFilter): Array<RawBuilder<SqlBool>> {
  const col = (name: string) => sql.ref(`calls.${name}`);
  const conditions: Array<RawBuilder<SqlBool>> = [];
  const time = col(filter.time_field);
  if (filter.from !== undefined) conditions.push(sql<SqlBool>`${time} >= ${filter.from}`);
  if (filter.to !== undefined) conditions.push(sql<SqlBool>`${time} < ${filter.to}`);
  if (filter.user !== undefined) {
    conditions.push(sql<SqlBool>`(${col('from_user_id')} = ${filter.user} or ${col('to_user_id')} = ${filter.user})`);
  }
  for (const field of ['from_user_id', 'to_user_id', 'from_service_id', 'to_service_id', 'type', 'reason', 'ended_by'] as const) {
    const value = filter[field];
    if (value !== undefined) conditions.push(sql<SqlBool>`${col(field)} = ${value}`);
  }
  if (filter.outcome !== undefined && filter.outcome.length > 0) {
    conditions.push(sql<SqlBool>`${col('outcome')} in (${sql.join(filter.outcome)})`);
  }
  if (filter.min_duration !== undefined) conditions.push(sql<SqlBool>`${col('duration')} >= ${filter.min_duration}`);
  if (filter.max_duration !== undefined) conditions.push(sql<SqlBool>`${col('duration')} <= ${filter.max_duration}`);
  return conditions;
}

/**
 * Adds a call filter's WHERE clauses to any Kysely select that reads `calls`.
 *
 * @example applyCallFilter(db.selectFrom('calls').selectAll(), { time_field: 'setup_time', user: 'alice' })
 */
export function applyCallFilter<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  filter: CallFilter,
): SelectQueryBuilder<DB, TB, O> {
  const conditions = callFilterConditions(filter);
  if (conditions.length === 0) return query;
  return query.where((eb) => eb.and(conditions as Array<Expression<SqlBool>>));
}
