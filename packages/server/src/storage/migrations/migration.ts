import type { Kysely } from 'kysely';
import type { Engine } from '../engine.ts';

/**
 * One forward-only schema change. `db` is untyped on purpose: a migration sees the schema as it was when the
 * migration was written, not as `Database` describes it today. `engine` lets a migration spell the few things
 * the engines disagree on (identity columns, triggers).
 */
export interface VouchMigration {
  up(db: Kysely<unknown>, engine: Engine): Promise<void>;
}
