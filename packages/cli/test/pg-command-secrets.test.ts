// The pg_dump and pg_restore commands `vouch backup` and `vouch restore` print for PostgreSQL left out the password,
// but not `sslpassword` (the passphrase of the client's TLS key, which libpq reads from the URL): a printed line that
// ends up in a log or a terminal recording carried it. Both are left out now; libpq asks for the passphrase.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pgDumpCommand } from '../src/commands/backup.ts';
import { pgRestoreCommand } from '../src/commands/restore.ts';

test('the printed pg_dump and pg_restore commands carry neither the password nor the TLS key passphrase', () => {
  const config = {
    databaseUrl:
      'postgres://vouch:s3cret@db.example:5432/vouch?sslmode=verify-full&sslkey=/etc/vouch/client.key' +
      '&sslpassword=k3ypass&password=s3cret2',
    databaseSchema: 'vouch',
  };
  for (const line of [pgDumpCommand(config, 'vouch.dump'), pgRestoreCommand(config, 'vouch.dump')]) {
    for (const secret of ['s3cret', 'k3ypass']) assert.ok(!line.includes(secret), line);
    assert.match(
      line,
      /'postgres:\/\/vouch@db\.example:5432\/vouch\?sslmode=verify-full&sslkey=%2Fetc%2Fvouch%2Fclient\.key'/,
    );
  }
});
