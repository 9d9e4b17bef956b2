// Review: the request log recorded the path as sent (`req.url` without its query), whole: one request of up to the
// header limit (16 KiB) wrote a 16 KiB log line, twice (incoming request, request completed), and whatever control or
// invisible characters reached the handler went into the log as they were. The logged path is now the form the
// 404/405 messages show (http/shown-path.ts): capped at SHOWN_PATH_MAX characters with an ellipsis, control and
// invisible characters percent-encoded. An ordinary path is logged as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SHOWN_PATH_MAX } from '../../src/http/shown-path.ts';
import { createLogger } from '../../src/logger.ts';
import { LogCapture, makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';

interface RequestLine {
  msg: string;
  req?: { path: string };
}

function loggedPaths(lines: readonly string[]): string[] {
  return lines
    .map((l) => JSON.parse(l) as RequestLine)
    .filter((l) => l.req !== undefined)
    .map((l) => l.req!.path);
}

eachEngine(
  'the request log shows a long path cut to SHOWN_PATH_MAX characters, an ordinary one whole',
  async ({ open }) => {
    const t = await makeApp(await open());
    try {
      await t.app.inject({ method: 'GET', url: '/healthz?token=query-secret-0123456789' });
      assert.deepEqual(loggedPaths(t.logs.lines), ['/healthz'], 'an ordinary path, as before, without its query');

      t.logs.lines.length = 0;
      const long = `/${'x'.repeat(12_000)}`;
      assert.equal((await t.app.inject({ method: 'GET', url: long })).statusCode, 404);
      const paths = loggedPaths(t.logs.lines);
      assert.ok(paths.length > 0, t.logs.text().slice(0, 500));
      for (const p of paths)
        assert.ok(p === `${long.slice(0, SHOWN_PATH_MAX)}…`, `logged a path of ${p.length} characters`);
      for (const line of t.logs.lines) assert.ok(line.length < 1000, `a log line of ${line.length} characters`);
    } finally {
      await t.app.close();
    }
  },
);

test('the request serializer percent-encodes control and invisible characters in the logged path', () => {
  const logs = new LogCapture();
  const logger = createLogger('info', logs);
  // Node's HTTP parser refuses these bytes on the wire today; the serializer holds whatever reaches it.
  const req = { id: 'r1', method: 'GET', url: '/a\nX-Injected: 1\r\n/\u001b[31m\u202Eb?q=\n', ip: '127.0.0.1' };
  logger.info({ req }, 'incoming request');
  assert.deepEqual(loggedPaths(logs.lines), ['/a%0AX-Injected: 1%0D%0A/%1B[31m%E2%80%AEb']);
  assert.equal(logs.lines.length, 1, 'one line: no newline from the path reached the log');
});
