// The pg_restore command `vouch restore` prints (PostgreSQL) ends with the input file as a word of its own: one
// whose name starts with `-` was printed as it is (`pg_restore … -vouch.dump`), which pg_restore reads as options
// (-v -o -u …) instead of the file to restore. It is printed as ./-vouch.dump. (pg_dump takes --file=…, no issue.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pgRestoreCommand } from '../src/commands/restore.ts';

test('the printed pg_restore command names an input starting with - as a path, not an option', () => {
  const config = { databaseUrl: 'postgres://vouch@db.example:5432/vouch', databaseSchema: undefined };
  assert.match(pgRestoreCommand(config, '-vouch.dump'), / \.\/-vouch\.dump$/);
  assert.match(pgRestoreCommand(config, '-my backup.dump'), / '\.\/-my backup\.dump'$/);
  // Other names as before.
  assert.match(pgRestoreCommand(config, 'vouch.dump'), / vouch\.dump$/);
  assert.match(pgRestoreCommand(config, '/backups/-x.dump'), / \/backups\/-x\.dump$/);
});
