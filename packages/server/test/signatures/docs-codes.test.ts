// docs/PROTOCOL.md's "Signatures and reports add: ..." sentence names the codes sign, certify and report answer
// beyond the common ones. It listed 403 `SIGNATURE_KEY_ROTATED`, which only a consent answers (integrators): a sign or
// signed report made with a key rotated away is 400 `SIGNATURE_INVALID`, as the Sign paragraph says. Each code listed
// there must be one the signatures module, or the agents functions it calls to check a signer, can throw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { documentedSpans } from '../helpers/protocol-doc.ts';

const ROOT = new URL('../../../../', import.meta.url).pathname;
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const SIGNATURES = 'packages/server/src/modules/signatures';

test('every code "Signatures and reports add" is one the signatures module (or its signer checks) throws', () => {
  const listed = documentedSpans('Signatures and reports add:', /([A-Z][A-Z0-9_]+)/);
  assert.ok(listed.length >= 4, listed.join(', '));
  const sources = [
    ...readdirSync(join(ROOT, SIGNATURES)).map((f) => read(`${SIGNATURES}/${f}`)),
    // verifyAgentSignature, holdSigner and assertAgentActive, which sign and report call.
    read('packages/server/src/modules/agents/service.ts'),
  ].join('\n');
  for (const code of listed) {
    assert.ok(sources.includes(`'${code}'`), `${code}: listed for signatures and reports, thrown by neither`);
  }
});
