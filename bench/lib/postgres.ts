// PostgreSQL for the benches: where it is, and a fresh schema per run (dropped afterwards with dropSchema).
import { freshSchema as freshTestSchema } from '../../packages/server/test/helpers/pg-schema.ts';

export { dropSchema } from '../../packages/server/test/helpers/pg-schema.ts';

/** The server the PostgreSQL cases use, or undefined to skip them. */
export const PG_URL: string | undefined =
  process.env.BENCH_DATABASE_URL || process.env.VOUCH_TEST_DATABASE_URL || undefined;

/** A schema name no earlier run used. */
export function freshSchema(): string {
  return freshTestSchema('bench_', 6);
}
