/** A nullable integer column's value as a number (PostgreSQL's int8 comes back as text); a column a row lacks is null too. */
export function nullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}
