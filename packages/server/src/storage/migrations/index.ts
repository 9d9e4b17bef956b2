import { foundation } from './0001_foundation.ts';
import type { VouchMigration } from './migration.ts';

export type { VouchMigration } from './migration.ts';

/**
 * Every migration, in order. To add one: write `NNNN_name.ts` exporting a {@link VouchMigration} and append it
 * here. Names sort lexically and are recorded in `vouch_migration`; never rename, reorder or edit a shipped one.
 */
export const MIGRATIONS: readonly (readonly [name: string, migration: VouchMigration])[] = [
  ['0001_foundation', foundation],
];
