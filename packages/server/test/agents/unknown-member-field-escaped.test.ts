// An unknown body member (a schema's additionalProperties refusal) was named in `field` and in the error sentence
// exactly as sent: the caller's text at any length, so a terminal escape or a bidi override in the name reached
// whoever reads the answer. A name of other than printable ASCII, or longer than 64 characters, is now named as a
// refused member name is (docs/PROTOCOL.md "Errors"): `["..."]`, escaped and cut; a printable one reads as before.
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { bearer, registerSlug, TEST_ENV } from './helpers.ts';

eachEngine('an unknown body member is named by field, escaped', async ({ open }) => {
  const storage = await open();
  const { app } = await makeApp(storage, { env: TEST_ENV });
  try {
    const agent = await registerSlug(app, 'unknown-member');
    const cases: Array<[string, string]> = [
      ['extra', 'body.extra'],
      ['a-b c', 'body.a-b c'],
      ['x\u001b[2J', 'body["x\\u001b[2J"]'],
      ['x\u202e', 'body["x\\u202e"]'],
      ['\u0085', 'body["\\u0085"]'],
      ['a'.repeat(65), `body["${'a'.repeat(64)}..."]`],
    ];
    for (const [key, field] of cases) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/identity/unknown-member/tools',
        headers: bearer(agent.managementToken),
        payload: { tools: ['read_file'], [key]: 1 },
      });
      assert.equal(res.statusCode, 400, res.body);
      const body = res.json() as { code: string; field: string; error: string };
      assert.deepEqual([body.code, body.field], ['VALIDATION_FAILED', field], JSON.stringify(key));
      assert.equal(body.error, `${field} is not an accepted field.`);
      assert.match(res.body, /^[\x20-\x7e]*$/, 'printable ASCII only');
    }
  } finally {
    await app.close();
  }
});
