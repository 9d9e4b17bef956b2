// A tool manifest's size is stated in bytes the route takes: its RFC 8785 JSON may be up to MAX_MANIFEST_BYTES
// (400 TOOL_MANIFEST_TOO_LARGE past it), and the route's body limit holds the largest such manifest sent as JSON
// (413 BODY_TOO_LARGE past that). 500 descriptions of 1,000 multi-byte characters (about 2 MB) cannot all be kept.
import assert from 'node:assert/strict';
import { canonicalize } from '@vouch/sdk';
import { MAX_MANIFEST_BYTES } from '../../src/modules/agents/tool-manifest.ts';
import { LARGE_BODY_ROUTES } from '../../src/http/body-limits.ts';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { bearer, codeOf, registerSlug, TEST_ENV } from './helpers.ts';

const MIB = 1024 * 1024;

/** 500 distinct tool names of 128 characters (the most the schema allows). */
const TOOLS = Array.from({ length: 500 }, (_, i) => `t${String(i).padStart(3, '0')}${'x'.repeat(124)}`);

function canonicalBytes(m: { tools: string[]; tool_descriptions: Record<string, string> }): number {
  return Buffer.byteLength(canonicalize({ tools: m.tools, tool_descriptions: m.tool_descriptions }));
}

/**
 * The largest valid manifest: every tool described, in three-byte characters (within 1,000 characters each), until
 * its RFC 8785 JSON is exactly MAX_MANIFEST_BYTES long.
 */
function largestManifest(): { tools: string[]; tool_descriptions: Record<string, string> } {
  const d: Record<string, string> = Object.fromEntries(TOOLS.map((t) => [t, '']));
  let left = MAX_MANIFEST_BYTES - canonicalBytes({ tools: TOOLS, tool_descriptions: d });
  for (const t of TOOLS) {
    const wide = Math.min(1000, Math.floor(left / 3));
    const narrow = Math.min(1000 - wide, left - wide * 3);
    d[t] = '€'.repeat(wide) + 'a'.repeat(narrow);
    left -= wide * 3 + narrow;
  }
  assert.equal(left, 0, 'the schema limits allow a manifest of MAX_MANIFEST_BYTES');
  const m = { tools: TOOLS, tool_descriptions: d };
  assert.equal(canonicalBytes(m), MAX_MANIFEST_BYTES);
  return m;
}

eachEngine(
  'the largest valid tool manifest is taken; one byte more is 400, one byte past the body limit 413',
  async ({ open }) => {
    const storage = await open();
    const { app } = await makeApp(storage, { env: TEST_ENV });
    try {
      const agent = await registerSlug(app, 'big-tools');
      const post = (payload: string) =>
        app.inject({
          method: 'POST',
          url: '/v1/identity/big-tools/tools',
          headers: { ...bearer(agent.managementToken), 'content-type': 'application/json' },
          payload,
        });
      const bodyLimit = LARGE_BODY_ROUTES.get('POST /v1/identity/:slug/tools')!;
      assert.equal(bodyLimit, MIB, 'the default VOUCH_BODY_LIMIT does not cut it shorter');

      // Every description at its 1,000 ASCII characters still fits: the byte limit only bounds wider text.
      const ascii = { tools: TOOLS, tool_descriptions: Object.fromEntries(TOOLS.map((t) => [t, 'd'.repeat(1000)])) };
      assert.ok(canonicalBytes(ascii) <= MAX_MANIFEST_BYTES);
      const asciiRes = await post(JSON.stringify(ascii));
      assert.equal(asciiRes.statusCode, 200, asciiRes.body.slice(0, 300));

      const largest = largestManifest();
      const text = JSON.stringify(largest);
      assert.ok(Buffer.byteLength(text) < bodyLimit);
      const ok = await post(text);
      assert.equal(ok.statusCode, 200, ok.body.slice(0, 300));
      const hash = (ok.json() as { tool_manifest_hash: string }).tool_manifest_hash;

      // One byte more (one more "a" in a description that is short of 1,000 characters): a clear 400, and the stored manifest is untouched.
      const before = await tableCounts(storage);
      const last = TOOLS[TOOLS.length - 1]!;
      const over = { ...largest, tool_descriptions: { ...largest.tool_descriptions } };
      over.tool_descriptions[last] += 'a';
      assert.equal(canonicalBytes(over), MAX_MANIFEST_BYTES + 1);
      const tooBig = await post(JSON.stringify(over));
      assert.equal(tooBig.statusCode, 400, tooBig.body.slice(0, 300));
      assert.equal(codeOf(tooBig), 'TOOL_MANIFEST_TOO_LARGE');
      assert.deepEqual(await tableCounts(storage), before);
      const kept = await app.inject({ method: 'GET', url: '/v1/identity/big-tools/tools' });
      assert.equal((kept.json() as { tool_manifest_hash: string }).tool_manifest_hash, hash);

      // The largest manifest padded with whitespace to the body limit is read; one byte more is 413.
      const padded = (bytes: number) => `${text.slice(0, -1)}${' '.repeat(bytes - Buffer.byteLength(text))}}`;
      const atLimit = await post(padded(bodyLimit));
      assert.equal(atLimit.statusCode, 200, atLimit.body.slice(0, 300));
      const pastLimit = await post(padded(bodyLimit + 1));
      assert.equal(pastLimit.statusCode, 413, pastLimit.body.slice(0, 300));
      assert.equal(codeOf(pastLimit), 'BODY_TOO_LARGE');

      // The manifest the old limits promised (500 descriptions of 1,000 four-byte characters, ~2 MB) never fits.
      const widest = { tools: TOOLS, tool_descriptions: Object.fromEntries(TOOLS.map((t) => [t, '😀'.repeat(1000)])) };
      assert.ok(Buffer.byteLength(JSON.stringify(widest)) > 2_000_000);
      assert.equal((await post(JSON.stringify(widest))).statusCode, 413);
    } finally {
      await app.close();
    }
  },
  { timeout: 120_000 },
);
