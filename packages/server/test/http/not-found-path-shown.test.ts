// Review: the JSON 404 (`No route GET /x.`) and 405 (`No route POST /x; this path answers GET, HEAD.`) repeated the
// request path as sent, whole: a caller chose bytes the server then put in its answer (and in whatever logs the
// client keeps), a path of up to the header limit (16 KiB) included. The path is now shown capped at 200 characters
// (an ellipsis saying it was cut), with control characters and the invisible ones that reorder or hide text
// (the display-text set: C1 controls, bidi marks and overrides, zero-width space, BOM, line separators)
// percent-encoded, so that what the message shows is still the path, but inert. An ordinary path reads as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shownPath, SHOWN_PATH_MAX } from '../../src/http/shown-path.ts';
import { makeApp } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';

test('shownPath: control and invisible characters are percent-encoded, never passed through', () => {
  assert.equal(shownPath('/api/v1/agnets'), '/api/v1/agnets');
  assert.equal(shownPath('/a%0Ab'), '/a%0Ab', 'already encoded: shown as sent');
  assert.equal(shownPath('/a\nX-Injected: 1\r\n'), '/a%0AX-Injected: 1%0D%0A');
  assert.equal(shownPath('/\u001b[31mred\u001b[0m\u0000\u007f'), '/%1B[31mred%1B[0m%00%7F');
  assert.equal(shownPath('/pay\u202Elapyap\u2066\u200B\uFEFF'), '/pay%E2%80%AElapyap%E2%81%A6%E2%80%8B%EF%BB%BF');
  assert.equal(shownPath('/c1\u0085\u009B'), '/c1%C2%85%C2%9B');
  assert.equal(shownPath('/a\u2028b\u2029'), '/a%E2%80%A8b%E2%80%A9');
  assert.equal(shownPath('/lone\uD800x'), '/lone%EF%BF%BDx', 'a lone surrogate cannot be encoded: the replacement');
  // Text a reader needs is kept: accents, scripts, emoji and their joiners.
  assert.equal(shownPath('/Zoë/نامه\u200Cنگار/👩\u200D💻'), '/Zoë/نامه\u200Cنگار/👩\u200D💻');
});

test('shownPath: a long path is cut at SHOWN_PATH_MAX characters, never inside an escape or a character', () => {
  assert.equal(SHOWN_PATH_MAX, 200);
  const long = `/${'a'.repeat(10_000)}`;
  assert.equal(shownPath(long), `${long.slice(0, 200)}…`);
  assert.equal(shownPath(`/${'a'.repeat(199)}`), `/${'a'.repeat(199)}`, 'exactly the cap: whole, no ellipsis');
  // A control character that would straddle the cap is left out whole, not cut to `%0`.
  assert.equal(shownPath(`/${'a'.repeat(197)}\n${'b'.repeat(10)}`), `/${'a'.repeat(197)}…`);
  // An emoji (two UTF-16 units) at the cap is left out whole, not halved into a lone surrogate.
  assert.equal(shownPath(`/${'a'.repeat(198)}👩tail`), `/${'a'.repeat(198)}…`);
  for (const path of [long, `/${'\n'.repeat(5000)}`, `/${'👩'.repeat(5000)}`]) {
    assert.ok(shownPath(path).length <= 201, String(shownPath(path).length));
  }
});

eachEngine('a 404 or 405 shows a long path cut to 200 characters, and a short one as before', async ({ open }) => {
  const t = await makeApp(await open(), { env: { VOUCH_LOG_LEVEL: 'silent' } });
  try {
    const short = await t.app.inject({ method: 'GET', url: '/api/v1/agnets?x=1' });
    assert.equal(short.statusCode, 404);
    assert.deepEqual(short.json(), { error: 'No route GET /api/v1/agnets.', code: 'NOT_FOUND' });

    const long = `/${'x'.repeat(12_000)}`;
    const notFound = await t.app.inject({ method: 'GET', url: long });
    assert.equal(notFound.statusCode, 404);
    assert.deepEqual(notFound.json(), { error: `No route GET ${long.slice(0, 200)}….`, code: 'NOT_FOUND' });

    // The router reads parameters up to 500 characters (app.ts's maxParamLength): past it, the answer is a 400.
    const param = `/api/v1/agents/${'y'.repeat(480)}`;
    const notAllowed = await t.app.inject({ method: 'POST', url: param });
    assert.equal(notAllowed.statusCode, 405, notAllowed.body.slice(0, 300));
    assert.deepEqual(notAllowed.json(), {
      error: `No route POST ${param.slice(0, 200)}…; this path answers GET, HEAD.`,
      code: 'METHOD_NOT_ALLOWED',
    });
    assert.ok(notAllowed.body.length < 400, 'the answer no longer grows with the path');
  } finally {
    await t.app.close();
  }
});
