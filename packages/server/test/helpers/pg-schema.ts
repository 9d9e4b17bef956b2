// Throwaway PostgreSQL schemas for tests and benches: a name no earlier run used, and dropping it afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A fresh schema name: `prefix` and random hex. */
export function freshSchema(prefix = 't_', bytes = 8): string {
  return `${prefix}${randomBytes(bytes).toString('hex')}`;
}

/** Drops a schema and everything in it. */
export async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}
