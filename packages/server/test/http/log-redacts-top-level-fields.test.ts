// Review: the redaction list named its secret fields as `*.<name>` only, which pino reads as "a member of a member
// of the logged object": `logger.warn({ token })`, `logger.info({ kek })` and `{ secret }` were written in clear, and
// so were a cookie header logged as `{ headers }` (only `req.headers.cookie` was named) and an x-api-key logged
// inside a request-shaped object. Every secret field is now blanked at the top level too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/logger.ts';
import { LogCapture } from '../helpers/app.ts';

const TOP_LEVEL = [
  'password',
  'secret',
  'token',
  'apiKey',
  'api_key',
  'adminKey',
  'adminKeyPrevious',
  'privateKey',
  'private_key',
  'claimToken',
  'claim_token',
  'managementToken',
  'management_token',
  'linkingKey',
  'linking_key',
  'kek',
];

test('a secret field is blanked when it is a member of the logged object itself', async () => {
  const logs = new LogCapture();
  const logger = createLogger('info', logs);
  for (const [i, name] of TOP_LEVEL.entries()) logger.info({ [name]: `secret-value-${i}`, kept: `v${i}` }, 'x');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(logs.lines.length, TOP_LEVEL.length);
  for (const [i, name] of TOP_LEVEL.entries()) {
    const line = JSON.parse(logs.lines[i]!) as Record<string, unknown>;
    assert.equal(line[name], '[redacted]', `${name} was logged as ${String(line[name])}`);
    assert.equal(line.kept, `v${i}`, 'other fields are logged as they are');
  }
});

test('a cookie or set-cookie header is blanked in a logged headers object', async () => {
  const logs = new LogCapture();
  const logger = createLogger('info', logs);
  logger.info({ headers: { cookie: 'sid=c1', 'set-cookie': 'sid=c2', accept: 'a' } }, 'x');
  logger.info({ res: { statusCode: 200 }, response: { headers: { 'set-cookie': 'sid=c3' } } }, 'x');
  await new Promise((resolve) => setImmediate(resolve));
  const text = logs.text();
  for (const value of ['sid=c1', 'sid=c2', 'sid=c3']) assert.ok(!text.includes(value), `${value} was logged: ${text}`);
  assert.ok(text.includes('"accept":"a"'), 'other headers are logged as they are');
});
