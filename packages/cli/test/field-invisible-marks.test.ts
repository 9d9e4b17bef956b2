// output.ts's field() replaced the C0 and C1 controls, the line and paragraph separators and the bidi embeddings,
// overrides and isolates in server text, but printed the Arabic letter mark, the left-to-right and right-to-left
// marks, the zero-width space and the BOM (U+061C, U+200E, U+200F, U+200B, U+FEFF) as they came: invisible, and the
// marks reorder what a reader sees around them. The server's display-text rule refuses all of them; field() now
// replaces exactly what that rule refuses, and the zero-width joiner and non-joiner still pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DISPLAY_TEXT } from '../../server/src/http/text-patterns.ts';
import { field } from '../src/output.ts';

test('field() replaces every character the server display-text rule refuses, and no other', () => {
  for (const c of ['\u061c', '\u200e', '\u200f', '\u200b', '\ufeff']) {
    assert.equal(field(`a${c}b`), 'a\uFFFDb', JSON.stringify(c));
  }
  const refused = new RegExp(DISPLAY_TEXT, 'u');
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const c = String.fromCodePoint(cp);
    const replaced = field(c) !== c;
    if (replaced === refused.test(c)) {
      assert.fail(`U+${cp.toString(16).toUpperCase().padStart(4, '0')}: field() replaced it: ${replaced}`);
    }
  }
  assert.equal(field('زو\u200cی 👩\u200d💻'), 'زو\u200cی 👩\u200d💻', 'the joiner and non-joiner stay');
});
