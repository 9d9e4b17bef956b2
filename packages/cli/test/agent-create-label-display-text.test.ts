// `vouch agent create --label` with a character the server's register schema refuses (its DISPLAY_TEXT pattern:
// control characters, C1 controls, bidi marks and overrides, zero-width space, BOM, line and paragraph separators)
// or an empty label (minLength 1) is refused before the proof of work and before the server is asked anything
// (not even for its public URL), with the CLI's usage exit (2). The zero-width joiner, which the server takes, passes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { DISPLAY_TEXT } from '../../server/src/http/text-patterns.ts';
import { displayTextProblem } from '../src/display-text.ts';
import { recordingServer, runClean, tempDir } from './helpers.ts';

const REFUSED: Array<[string, string]> = [
  ['a control character', 'bot\u0001'],
  ['a line feed', 'two\nlines'],
  ['DEL', 'bot\u007f'],
  ['a C1 control (CSI)', 'bot\u009b31m'],
  ['a right-to-left override', 'bot\u202egpj.exe'],
  ['a zero-width space', 'b\u200bot'],
  ['a byte-order mark', '\ufeffbot'],
  ['a line separator', 'bot\u2028'],
  ['nothing', ''],
];

test('agent create refuses a label the server would refuse before the proof of work', async (t) => {
  const home = await tempDir(t);
  const server = await recordingServer(t, (res) => res.writeHead(500).end());
  const args = ['agent', 'create', '--alias', 'bot', '--pow-difficulty', '0', '--server', server.url];

  for (const [what, label] of REFUSED) {
    const r = await runClean({ VOUCH_HOME: home }, ...args, '--label', label);
    assert.equal(r.code, 2, `${what}: ${r.err}`);
    assert.match(r.err, /--label/, what);
    assert.ok(!/proof of work/.test(r.err), `${what}: refused before the proof of work:\n${r.err}`);
    assert.deepEqual(server.seen, [], `${what}: the server was not asked`);
    assert.deepEqual(await readdir(home), [], `${what}: nothing was written`);
  }

  // The zero-width joiner (emoji sequences, Indic scripts) passes the check: the server is asked.
  const ok = await runClean({ VOUCH_HOME: home }, ...args, '--label', 'bot 👩\u200d💻');
  assert.ok(!/--label/.test(ok.err), ok.err);
  assert.ok(server.seen.length > 0, 'a label the server takes goes to the server');
});

test("the CLI's label rule is the server's DISPLAY_TEXT, character for character", () => {
  const server = new RegExp(DISPLAY_TEXT, 'u');
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const s = `a${String.fromCodePoint(cp)}b`;
    assert.equal(displayTextProblem(s) === undefined, server.test(s), `U+${cp.toString(16).padStart(4, '0')}`);
  }
});
