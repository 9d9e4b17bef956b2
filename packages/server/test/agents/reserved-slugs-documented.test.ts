// docs/PROTOCOL.md ("Slug") names every reserved slug: the service's and its operator's names, and the path segments.
// The tests checked only a dozen of them, so dropping another from slug.ts's lists (`intercept`, `healthz`,
// `postmaster`...) went unnoticed, and an agent could take it. The documented list and RESERVED_SLUGS are now one set,
// and each documented name is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isReservedSlug, RESERVED_SLUGS } from '../../src/modules/agents/slug.ts';
import { documentedSpans } from '../helpers/protocol-doc.ts';

/** The backticked slugs of the "Reserved" sentence of docs/PROTOCOL.md's Slug entry (`vouch-…` is a family). */
const documentedReservedSlugs = (): Set<string> =>
  new Set(
    documentedSpans('own: names of the service and its operator', /([a-z][a-z0-9-]*)/, 'the list is `RESERVED_SLUGS`'),
  );

test('every reserved slug docs/PROTOCOL.md names is reserved, and RESERVED_SLUGS is that list', () => {
  const documented = documentedReservedSlugs();
  assert.ok(documented.size >= 40, `${documented.size} names found`);
  for (const s of documented) assert.ok(isReservedSlug(s), `${s} is documented as reserved`);
  assert.deepEqual([...RESERVED_SLUGS].sort(), [...documented].sort());
});
