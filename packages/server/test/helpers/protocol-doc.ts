// Tests that hold a list in the code to the one docs/PROTOCOL.md gives read that list here, so that every such test
// finds its passage and its names the same way.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const PROTOCOL = new URL('../../../../docs/PROTOCOL.md', import.meta.url);

/**
 * The backticked spans matching `span` (its first group) in docs/PROTOCOL.md, from the text `from` to the text
 * `until` after it (the end of its paragraph by default). Fails the test if the passage is not there.
 */
export function documentedSpans(from: string, span: RegExp, until = '\n\n'): string[] {
  const doc = readFileSync(PROTOCOL, 'utf8');
  const start = doc.indexOf(from);
  const end = start === -1 ? -1 : doc.indexOf(until, start + from.length);
  assert.ok(start !== -1 && end !== -1, `docs/PROTOCOL.md has the passage "${from}" … "${until}"`);
  const anchored = new RegExp(`\`${span.source}\``, 'g');
  return [...doc.slice(start, end).matchAll(anchored)].map((m) => m[1]!);
}
