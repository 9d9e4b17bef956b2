// The SDK's documented codes against its source, read at run time so that a code added in the source fails here
// until it is documented: the TSDoc list on `VouchErrorCode` (the SDK's reference of what it throws), the failure
// codes of the verifier helpers in docs/PROTOCOL.md "SDK client and helpers", and the intercept's deny codes in
// docs/PROTOCOL.md "Intercept".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CAPABILITY_DENY_CODES } from '../src/index.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const backticked = (text: string) =>
  new Set([...text.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!).filter((c) => !c.startsWith('VOUCH_')));

/** The text under a markdown heading (`## X` or `### X`) up to the next heading of that level or above. */
function section(markdown: string, level: '##' | '###', title: string): string {
  const start = markdown.search(new RegExp(`^${level} ${title.replace(/[^\w ]/g, '\\$&')}`, 'm'));
  assert.notEqual(start, -1, `a "${level} ${title}" heading`);
  const body = markdown.indexOf('\n', start);
  const next = markdown.slice(body).search(level === '##' ? /^## /m : /^##+ /m);
  return markdown.slice(start, next === -1 ? undefined : body + next);
}

test("VouchErrorCode's TSDoc names every code of the union, and only codes the SDK throws or relays", () => {
  const source = read('packages/sdk/src/errors.ts');
  const declared = /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*export type VouchErrorCode =([^;]*);/.exec(source);
  assert.ok(declared, 'packages/sdk/src/errors.ts declares VouchErrorCode under its TSDoc');
  const union = new Set([...declared[2]!.matchAll(/'([A-Z0-9_]+)'/g)].map((m) => m[1]!));
  const listed = backticked(declared[1]!);
  assert.deepEqual(
    [...union].filter((c) => !listed.has(c)),
    [],
    'codes of VouchErrorCode missing from its TSDoc list',
  );
  // The HTTP client hands a server's code over verbatim: the list may name some of those as examples.
  const server = read('packages/server/src/errors.ts');
  assert.deepEqual(
    [...listed].filter((c) => !union.has(c) && !server.includes(`'${c}'`)),
    [],
    "codes VouchErrorCode's TSDoc names that neither the SDK nor the server has",
  );
});

test('PROTOCOL.md "SDK client and helpers" names every failure code of the verifier helpers', () => {
  const documented = backticked(section(read('docs/PROTOCOL.md'), '##', 'SDK client and helpers'));
  const missing: string[] = [];
  const dir = join(ROOT, 'packages/sdk/src/verify');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    for (const m of readFileSync(join(dir, file), 'utf8').matchAll(/\binvalid\(\s*'([A-Z][A-Z0-9_]+)'/g)) {
      if (!documented.has(m[1]!)) missing.push(`${m[1]} (verify/${file})`);
    }
  }
  assert.deepEqual(missing, []);
});

test('PROTOCOL.md "Intercept" tables the capability deny codes in the order they are checked', () => {
  const intercept = section(read('docs/PROTOCOL.md'), '###', 'Intercept');
  const rows = [...intercept.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]!);
  assert.deepEqual(rows, [...CAPABILITY_DENY_CODES]);
});
