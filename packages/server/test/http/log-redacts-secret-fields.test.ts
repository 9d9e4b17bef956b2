// Review: the logger's redaction list (a second line of defence: nothing logs these objects today) named the
// camelCase claimToken and managementToken but not the snake_case forms the Treeship routes answer (claim_token,
// management_token) nor a linking key in either form, so an object carrying one would have been logged in clear.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/logger.ts';
import { LogCapture } from '../helpers/app.ts';

const SECRET_FIELDS = [
  'claimToken',
  'claim_token',
  'managementToken',
  'management_token',
  'linkingKey',
  'linking_key',
  'token',
  'apiKey',
  'api_key',
  'privateKey',
  'private_key',
];

test('every secret-bearing field is blanked in a logged object, in both spellings', async () => {
  const logs = new LogCapture();
  const logger = createLogger('info', logs);
  for (const [i, name] of SECRET_FIELDS.entries()) {
    logger.info({ answer: { [name]: `secret-value-${i}`, kept: `visible-${i}` } }, 'an answer');
  }
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(logs.lines.length, SECRET_FIELDS.length);
  for (const [i, name] of SECRET_FIELDS.entries()) {
    const line = JSON.parse(logs.lines[i]!) as { answer: Record<string, unknown> };
    assert.equal(line.answer[name], '[redacted]', `${name} was logged as ${String(line.answer[name])}`);
    assert.equal(line.answer.kept, `visible-${i}`, 'other fields are logged as they are');
  }
});
