// A KEK setting that can never work stops the start before the database is opened: no schema, table or file is
// created or migrated by a process that then refuses to run (as the registry root key file already did).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../src/config.ts';
import { startServer } from '../../src/start.ts';
import { serverEnv } from '../helpers/app.ts';
import { eachEngine, TEST_DATABASE_URL } from '../helpers/storage.ts';

async function schemaExists(schema: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return (await client.query('select 1 from pg_namespace where nspname = $1', [schema])).rows.length > 0;
  } finally {
    await client.end();
  }
}

eachEngine('a missing or malformed KEK file stops the start before any migration', async ({ engine, options }) => {
  const env = serverEnv(engine, options);
  const malformed = join(options.dataDir, 'malformed-kek.key');
  await writeFile(malformed, 'not a key\n', { mode: 0o600 });
  const cases: Array<[Record<string, string | undefined>, string]> = [[{ VOUCH_KEK_FILE: malformed }, 'KEK_INVALID']];
  if (engine === 'postgres') {
    cases.push([{ VOUCH_KEK_FILE: undefined }, 'KEK_REQUIRED']);
    cases.push([{ VOUCH_KEK_FILE: join(options.dataDir, 'absent.key') }, 'KEK_REQUIRED']);
  }
  for (const [change, code] of cases) {
    const config = loadConfig({ ...env, ...change });
    await assert.rejects(startServer(config), (err: { code?: string }) => err.code === code);
    if (engine === 'postgres') {
      assert.equal(await schemaExists(options.pgSchema!), false, `${code}: the schema was created and migrated`);
    } else {
      assert.equal(existsSync(join(options.dataDir, 'vouch.db')), false, `${code}: the database was created`);
    }
  }
});
