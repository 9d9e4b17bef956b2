// The SDK's offline check of a signed tool manifest answers malformed input with `{valid: false, code:
// 'MANIFEST_INVALID'}`, as documented. A manifest is often handed to a verifier by the agent itself, so it is untrusted
// input: a tool name or description that JSON can carry but RFC 8785 cannot hash (a lone surrogate, `"\ud800"`) made
// verifyToolManifest throw instead of answering invalid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyToolManifest } from '@vouch/sdk';
import type { ToolManifest, VouchKeys } from '@vouch/sdk';

const cache = { vouchKeys: { keys: [] } as unknown as VouchKeys };

function manifest(tools: unknown, descriptions: unknown): ToolManifest {
  // As a verifier reads it: parsed from JSON text, where `\ud800` is a valid escape.
  return JSON.parse(
    `{
    "agent_slug": "some-agent", "did": "did:identity:aaaaaaaaaaaaaaaaaaaaaaaaaa",
    "tool_manifest_hash": "${'0'.repeat(64)}", "tools": ${JSON.stringify(tools)},
    "tool_descriptions": ${JSON.stringify(descriptions)}, "signature": "AAAA", "signature_alg": "EdDSA",
    "signature_kid": "k1", "updated_at": "2026-01-01T00:00:00.000Z"
  }`.replace(/LONE/g, '\\ud800'),
  ) as ToolManifest;
}

test('verifyToolManifest answers MANIFEST_INVALID, never throws, for tools or descriptions RFC 8785 cannot hash', async () => {
  for (const m of [manifest(['read_LONE'], {}), manifest(['read_file'], { read_file: 'reads LONE files' })]) {
    const r = await verifyToolManifest(m, cache);
    assert.equal(r.valid, false);
    assert.equal((r as { code: string }).code, 'MANIFEST_INVALID');
  }
  // Well-formed input still reaches the hash check.
  const r = await verifyToolManifest(manifest(['read_file'], {}), cache);
  assert.equal((r as { code: string }).code, 'MANIFEST_HASH_MISMATCH');
});
