// Registry entries may carry characters that names and notes refuse at the API: a bidi override makes
// "alpha\u202Egnp.exe" read as "alphaexe.png", and U+009B starts a terminal escape. Pages show U+FFFD in their
// place, whatever the value's source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp } from '../helpers/app.ts';
import { admin, makeIssuers } from '../registry/fixtures.ts';
import { escapeHtml } from '../../src/web/html.ts';

const REORDERING = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'];
const C1 = ['\u0080', '\u0085', '\u009b', '\u009f'];

eachEngine(
  'an issuer name with a bidi override or a C1 control is shown with U+FFFD on the registry page',
  async ({ open }) => {
    const t = await makeApp(await open());
    const is = await makeIssuers(['alpha', 'bravo', 'charlie']);
    const name = `alpha\u202Egnp.exe \u009b31m \u2067isolated\u2069`;
    const alpha = { ...is.alpha!.entry, metadata: { ...is.alpha!.entry.metadata, name } };
    const g = await t.app.inject({
      method: 'POST',
      url: '/v1/registry/genesis',
      headers: admin(t.adminKey),
      payload: { issuers: [alpha, is.bravo!.entry, is.charlie!.entry], threshold: 2 },
    });
    assert.equal(g.statusCode, 201, g.body);
    // The signed registry keeps the value as it was signed: only its display changes.
    const listed = await t.app.inject({ method: 'GET', url: '/v1/registry/issuers/alpha' });
    assert.equal((listed.json() as { issuer: { metadata: { name: string } } }).issuer.metadata.name, name);

    const page = await t.app.inject({ method: 'GET', url: '/registry', headers: { accept: 'text/html' } });
    assert.equal(page.statusCode, 200);
    for (const c of [...REORDERING, ...C1]) assert.ok(!page.body.includes(c), `U+${c.charCodeAt(0).toString(16)}`);
    assert.ok(page.body.includes('alpha\uFFFDgnp.exe \uFFFD31m \uFFFDisolated\uFFFD'), 'shown, with U+FFFD in place');
    await t.app.close();
  },
);

test('escapeHtml keeps the marks and joiners scripts need', () => {
  // Right-to-left text, the zero-width joiner and non-joiner (Persian, Indic, emoji), and the left-to-right and
  // right-to-left marks do not reorder what follows them: they stay.
  for (const s of ['שלום عالم', 'می\u200cخواهم', '👩\u200d💻', 'a\u200eb\u200fc', 'tab\tline\nend']) {
    assert.equal(escapeHtml(s), s);
  }
  for (const c of [...REORDERING, ...C1]) assert.equal(escapeHtml(`x${c}y`), 'x\uFFFDy');
  assert.equal(escapeHtml(`<a href="x">'&\``), '&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#96;');
});
