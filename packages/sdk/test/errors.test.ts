import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VouchError, isVouchError, type VouchErrorCode } from '../src/index.ts';

test('VouchError carries a stable code, its class name and an optional cause', () => {
  const cause = new Error('inner');
  const e = new VouchError('INVALID_KEY', 'The key is not valid.', { cause });
  assert.ok(e instanceof Error);
  assert.equal(e.code, 'INVALID_KEY');
  assert.equal(e.name, 'VouchError');
  assert.equal(e.message, 'The key is not valid.');
  assert.equal(e.cause, cause);
  assert.ok(e.stack?.includes('VouchError'));
});

test('isVouchError narrows, optionally by code', () => {
  const e: unknown = new VouchError('DUPLICATE_KEY', 'Duplicate member name.');
  assert.equal(isVouchError(e), true);
  assert.equal(isVouchError(e, 'DUPLICATE_KEY'), true);
  assert.equal(isVouchError(e, 'INVALID_JSON'), false);
  assert.equal(isVouchError(new Error('x')), false);
  assert.equal(isVouchError({ code: 'DUPLICATE_KEY' }), false);
  assert.equal(isVouchError(undefined), false);
});

test('other packages can extend the closed code set', () => {
  type ServerCode = VouchErrorCode | 'NOT_FOUND';
  class ServerError extends VouchError<ServerCode> {}
  const e: unknown = new ServerError('NOT_FOUND', 'The agent was not found.');
  assert.ok(e instanceof VouchError);
  assert.equal((e as ServerError).name, 'ServerError');
  assert.equal(isVouchError<ServerCode>(e, 'NOT_FOUND'), true);
  assert.equal(isVouchError(e, 'INVALID_KEY'), false);
});
