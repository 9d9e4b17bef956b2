// Review: tool names carry no control or invisible characters, in a manifest or in a verify-tools check. The check
// echoes the tools used back in `authorized_tools`/`unauthorized_tools`, which an operator's console or log shows; a
// terminal escape or a right-to-left override there could make one tool read as another. Both writes answer 400
// VALIDATION_FAILED naming the field, and leave nothing behind.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { bearer, registerSlug, TEST_ENV } from './helpers.ts';

// C0 (NUL, ESC), DEL, C1 (CSI), bidi override and isolate, zero-width space, BOM, line separator.
const BAD = ['\u0000', '\u001b[2J', '\u007f', '\u009b', '\u202e', '\u2066', '\u200b', '\ufeff', '\u2028'];

eachEngine('control and invisible characters in tool names are refused, named by field', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: TEST_ENV });
  try {
    const agent = await registerSlug(app, 'tool-text');
    const set = await app.inject({
      method: 'POST',
      url: '/v1/identity/tool-text/tools',
      headers: bearer(agent.managementToken),
      payload: { tools: ['read_file', 'send_mail'], tool_descriptions: { read_file: 'Reads a file.' } },
    });
    assert.equal(set.statusCode, 200, set.body);
    const manifest = set.body;
    const before = await tableCounts(storage);

    for (const bad of BAD) {
      const label = JSON.stringify(bad);
      // The manifest: tool names and described names.
      const writes: Array<[Record<string, unknown>, string]> = [
        [{ tools: ['read_file', `send_mail${bad}`] }, 'body.tools[1]'],
        // The refused key is named, its invisible characters escaped (never echoed as such).
        [
          { tools: ['read_file'], tool_descriptions: { [`read_file${bad}`]: 'x' } },
          `body.tool_descriptions[${JSON.stringify(`read_file${bad}`).replace(
            /[^\x20-\x7e]/g,
            (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
          )}]`,
        ],
      ];
      for (const [payload, field] of writes) {
        const res = await app.inject({
          method: 'POST',
          url: '/v1/identity/tool-text/tools',
          headers: bearer(agent.managementToken),
          payload,
        });
        assert.equal(res.statusCode, 400, `${label}: ${res.body}`);
        assert.deepEqual([res.json().code, res.json().field], ['VALIDATION_FAILED', field], label);
      }

      // The check, as a JSON body and as query parameters.
      const body = await app.inject({
        method: 'POST',
        url: '/v1/identity/tool-text/verify-tools',
        payload: { tools_used: ['read_file', `send_mail${bad}`] },
      });
      assert.equal(body.statusCode, 400, `${label}: ${body.body}`);
      assert.deepEqual([body.json().code, body.json().field], ['VALIDATION_FAILED', 'body.tools_used[1]'], label);
      assert.ok(!body.body.includes(`send_mail${bad}`), `${label}: the name is not echoed`);

      const query = await app.inject({
        method: 'POST',
        url: `/v1/identity/tool-text/verify-tools?tools_used=read_file&tools_used=${encodeURIComponent(`x${bad}`)}`,
      });
      assert.equal(query.statusCode, 400, `${label}: ${query.body}`);
      assert.deepEqual(
        [query.json().code, query.json().field],
        ['VALIDATION_FAILED', 'querystring.tools_used[1]'],
        label,
      );
    }

    // Nothing changed: the stored manifest is the one set above.
    assert.deepEqual(await tableCounts(storage), before);
    const stored = await app.inject({ method: 'GET', url: '/v1/identity/tool-text/tools' });
    assert.equal(stored.body, manifest);

    // Printable names, in the manifest's grammar or not, are still checked and answered as before.
    const ok = await app.inject({
      method: 'POST',
      url: '/v1/identity/tool-text/verify-tools?tools_used=read_file',
      payload: { tools_used: ['send file', 'outil_é', 'emoji_👩‍💻'] },
    });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(ok.json(), {
      verified: false,
      authorized_tools: ['read_file'],
      unauthorized_tools: ['send file', 'outil_é', 'emoji_👩‍💻'],
      manifest_hash: JSON.parse(manifest).tool_manifest_hash,
    });
  } finally {
    await app.close();
  }
});
