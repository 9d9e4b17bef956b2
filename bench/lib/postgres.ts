// PostgreSQL for the benches: where it is, a fresh schema per run and dropping it afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server the PostgreSQL cases use, or undefined to skip them. */
export const PG_URL: string | undefined =
  process.env.BENCH_DATABASE_URL || process.env.VOUCH_TEST_DATABASE_URL || undefined;

/** A schema name no earlier run used. */
export function freshSchema(): string {
  return `bench_${randomBytes(6).toString('hex')}`;
}

/** Drops a bench's schema and everything in it. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}
