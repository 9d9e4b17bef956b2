// Review: the request log recorded `req.ip` as it was. Behind VOUCH_TRUST_PROXY=true (every hop trusted) that is the
// first X-Forwarded-For entry, text the client chose: up to the header limit (16 KiB) in every request's log line,
// and header bytes such as 0x9b (U+009B, which starts a terminal escape) as they were. The path beside it was
// already capped and made inert (logged-path-bounded); the address now is too, in the same form. An ordinary
// address is logged unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SHOWN_PATH_MAX } from '../../src/http/shown-path.ts';
import { createLogger } from '../../src/logger.ts';
import { LogCapture, makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';

function loggedIps(lines: readonly string[]): unknown[] {
  return lines
    .map((l) => JSON.parse(l) as { req?: { ip?: unknown } })
    .filter((l) => l.req !== undefined)
    .map((l) => l.req!.ip);
}

eachEngine(
  'behind a proxy trusted for every hop, a forwarded address the client wrote is logged capped',
  async ({ open }) => {
    const t = await makeApp(await open(), { env: { VOUCH_TRUST_PROXY: 'true' } });
    try {
      await t.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-forwarded-for': '203.0.113.7' } });
      assert.deepEqual(loggedIps(t.logs.lines), ['203.0.113.7'], 'an ordinary address, as before');

      t.logs.lines.length = 0;
      const forged = `\u009b31m${'x'.repeat(12_000)}`;
      await t.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-forwarded-for': `${forged}, 10.0.0.1` } });
      const ips = loggedIps(t.logs.lines);
      assert.ok(ips.length > 0, t.logs.text().slice(0, 500));
      for (const ip of ips) {
        assert.equal(typeof ip, 'string');
        assert.ok(!(ip as string).includes('\u009b'), 'U+009B reached the log');
        assert.ok(
          (ip as string).length <= SHOWN_PATH_MAX + 1,
          `logged an address of ${(ip as string).length} characters`,
        );
      }
      for (const line of t.logs.lines) assert.ok(line.length < 1000, `a log line of ${line.length} characters`);
    } finally {
      await t.app.close();
    }
  },
);

test('the request serializer logs an address that is not one capped and inert, and a missing one as missing', () => {
  const logs = new LogCapture();
  const logger = createLogger('info', logs);
  logger.info({ req: { id: 'r1', method: 'GET', url: '/', ip: '::ffff:127.0.0.1' } }, 'incoming request');
  logger.info({ req: { id: 'r2', method: 'GET', url: '/', ip: 'a\u009b[2J\u202eb' } }, 'incoming request');
  logger.info({ req: { id: 'r3', method: 'GET', url: '/', ip: undefined } }, 'incoming request');
  assert.deepEqual(loggedIps(logs.lines), ['::ffff:127.0.0.1', 'a%C2%9B[2J%E2%80%AEb', undefined]);
});
