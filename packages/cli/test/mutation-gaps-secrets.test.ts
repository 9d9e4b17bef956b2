// Mutation gaps in the CLI's secret files (src/secrets.ts) and terminal output (src/output.ts):
// - a key file readable by its group warns just as one readable by everyone does;
// - a file over 64 KiB is not a key: refused (exit 2) before anything is sent, without printing its content;
// - a server-supplied field shown inside a line cannot start a line of its own, U+2028 and U+2029 included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { recordingServer, tempDir, runClean } from './helpers.ts';
import { field, jsonOut, terminalSafe } from '../src/output.ts';

const ADMIN = 'vouch_admin_GAPS_SECRET_0123456789';

const answer = (res: ServerResponse) =>
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [] }));

async function secretFile(dir: string, name: string, content: string, mode: number): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, content, { mode });
  await chmod(file, mode);
  return file;
}

test('a key file its group may read warns like a world-readable one; 0600 and 0400 do not', async (t) => {
  const dir = await tempDir(t, 'vouch-gaps-');
  const server = await recordingServer(t, answer);
  for (const mode of [0o640, 0o604, 0o440]) {
    const file = await secretFile(dir, `k${mode.toString(8)}`, `${ADMIN}\n`, mode);
    const r = await runClean({}, 'keys', 'list', '--admin-key-file', file, '--server', server.url);
    const shown = mode.toString(8).padStart(4, '0');
    assert.equal(
      r.err,
      `vouch: warning: key file ${file} can be read by other users (mode ${shown}); chmod 600 ${file}.\n`,
    );
  }
  for (const mode of [0o600, 0o400]) {
    const file = await secretFile(dir, `k${mode.toString(8)}`, `${ADMIN}\n`, mode);
    const r = await runClean({}, 'keys', 'list', '--admin-key-file', file, '--server', server.url);
    assert.equal(r.err, '', mode.toString(8));
  }
  assert.ok(server.seen.every((s) => s.headers['x-api-key'] === ADMIN));
});

test('a key file over 64 KiB is refused (exit 2), nothing is sent and none of it is printed', async (t) => {
  const dir = await tempDir(t, 'vouch-gaps-');
  const server = await recordingServer(t, answer);
  const exact = await secretFile(dir, 'exact', 'k'.repeat(64 * 1024), 0o600);
  const over = await secretFile(dir, 'over', `${'K'.repeat(64 * 1024)}\n`, 0o600);
  const big = await runClean({}, 'keys', 'list', '--admin-key-file', over, '--server', server.url);
  assert.equal(big.code, 2);
  assert.equal(big.err, `vouch: --admin-key-file: ${over} is too large to hold a key.\n`);
  assert.equal(big.out, '');
  assert.equal(server.seen.length, 0, 'nothing was sent');
  // 64 KiB itself is read and sent (this loopback server's HTTP parser then refuses so large a header: 431).
  const fits = await runClean({}, 'keys', 'list', '--admin-key-file', exact, '--server', server.url);
  assert.doesNotMatch(fits.err, /too large to hold a key/);
  assert.match(fits.err, /431/);
});

test('field(): server text shown inside a line has no line or paragraph separator, tab or newline', () => {
  for (const c of ['\n', '\r', '\t', '\u2028', '\u2029', '\u0085', '\u001b', '\u202e', '\u2066']) {
    assert.equal(field(`a${c}b`), 'a\uFFFDb', JSON.stringify(c));
  }
  assert.equal(field('Zoë 👩\u200D💻'), 'Zoë 👩\u200D💻', 'joiners and non-ASCII text stay');
  // Whole lines keep their newlines and tabs; JSON keeps the values, escaped.
  assert.equal(terminalSafe('a\n\tb\u001b[2J'), 'a\n\tb\uFFFD[2J');
  assert.equal(jsonOut({ n: 'x\u009by' }), '{\n  "n": "x\\u009by"\n}');
});
