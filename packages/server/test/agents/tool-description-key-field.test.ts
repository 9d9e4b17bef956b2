// A tool_descriptions key that is no tool name was answered with `field: "body.tool_descriptions"`, the object, where
// every other nested refusal names its value (`body.tools[1]`, `body.tool_descriptions.<name>` for a described tool
// that is not listed). It now names the key: `body.tool_descriptions.<key>` when the key reads as a name, else
// `body.tool_descriptions["<key>"]` with everything but printable ASCII escaped (a terminal escape or a bidi override
// in the key is never echoed as such), cut at 64 characters.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { bearer, registerSlug, TEST_ENV } from './helpers.ts';

eachEngine('a bad tool_descriptions key is named by field, escaped', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: TEST_ENV });
  try {
    const agent = await registerSlug(app, 'key-field');
    const cases: Array<[string, string]> = [
      ['a b', 'body.tool_descriptions["a b"]'],
      ['-lead', 'body.tool_descriptions["-lead"]'],
      ['', 'body.tool_descriptions[""]'],
      ['read_file\u001b[2J', 'body.tool_descriptions["read_file\\u001b[2J"]'],
      ['x\u202e', 'body.tool_descriptions["x\\u202e"]'],
      ['x\u2028"\\', 'body.tool_descriptions["x\\u2028\\"\\\\"]'],
      ['a'.repeat(129), `body.tool_descriptions["${'a'.repeat(64)}..."]`],
      ['é', 'body.tool_descriptions["\\u00e9"]'],
    ];
    for (const [key, field] of cases) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/identity/key-field/tools',
        headers: bearer(agent.managementToken),
        payload: { tools: ['read_file'], tool_descriptions: { [key]: 'x' } },
      });
      assert.equal(res.statusCode, 400, res.body);
      const body = res.json() as { code: string; field: string; error: string };
      assert.deepEqual([body.code, body.field], ['VALIDATION_FAILED', field], JSON.stringify(key));
      assert.ok(body.error.startsWith(`${field} `), body.error);
      assert.match(res.body, /^[\x20-\x7e]*$/, 'printable ASCII only');
    }
  } finally {
    await app.close();
  }
});
