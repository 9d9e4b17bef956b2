// PostgreSQL's `integer` is 32-bit where SQLite's is 64-bit: a counter kept in one that callers can drive without
// bound stops at its top on both engines, rather than fail there (22003, a 500) and count on here.

/** The top of PostgreSQL's 32-bit `integer`. */
export const PG_INTEGER_MAX = 2 ** 31 - 1;

/**
 * SQL for `current + added` held at {@link PG_INTEGER_MAX}, each an SQL expression (a column, `excluded."col"`, a
 * literal). `added` is never negative, so `max - added` cannot overflow where `current + added` would.
 */
export function saturatedSumSql(current: string, added: string): string {
  return `case when ${current} >= ${PG_INTEGER_MAX} - ${added} then ${PG_INTEGER_MAX} else ${current} + ${added} end`;
}
