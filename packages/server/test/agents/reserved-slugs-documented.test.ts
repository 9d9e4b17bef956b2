// docs/PROTOCOL.md ("Slug") names every reserved slug: the service's and its operator's names, and the path segments.
// The tests checked only a dozen of them, so dropping another from slug.ts's lists (`intercept`, `healthz`,
// `postmaster`...) went unnoticed, and an agent could take it. The documented list and RESERVED_SLUGS are now one set,
// and each documented name is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isReservedSlug, RESERVED_SLUGS } from '../../src/modules/agents/slug.ts';

const ROOT = new URL('../../../../', import.meta.url).pathname;

/** The backticked slugs of the "Reserved" sentence of docs/PROTOCOL.md's Slug entry (`vouch-…` is a family). */
function documentedReservedSlugs(): Set<string> {
  const doc = readFileSync(join(ROOT, 'docs/PROTOCOL.md'), 'utf8');
  const start = doc.indexOf('own: names of the service and its operator');
  const end = doc.indexOf('the list is `RESERVED_SLUGS`', start);
  assert.ok(start !== -1 && end > start, 'the Slug entry lists the reserved slugs');
  return new Set([...doc.slice(start, end).matchAll(/`([a-z][a-z0-9-]*)`/g)].map((m) => m[1]!));
}

test('every reserved slug docs/PROTOCOL.md names is reserved, and RESERVED_SLUGS is that list', () => {
  const documented = documentedReservedSlugs();
  assert.ok(documented.size >= 40, `${documented.size} names found`);
  for (const s of documented) assert.ok(isReservedSlug(s), `${s} is documented as reserved`);
  assert.deepEqual([...RESERVED_SLUGS].sort(), [...documented].sort());
});
