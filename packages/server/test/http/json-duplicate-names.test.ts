// JSON.parse keeps the last of repeated member names, while a proxy, WAF or audit tool may act on the first: a body
// that repeats a name in any object is refused with 400 INVALID_JSON, names compared after unescaping.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { listServerKeys } from '../../src/storage/index.ts';
import { eachEngine } from '../helpers/storage.ts';
import { ADMIN, tokenApp } from '../tokens/helpers.ts';

/** What parseJsonBody(text, 64) did: 'ok' and the value, or an ApiError's code and message. */
interface Outcome {
  code: string;
  message?: string;
  value?: unknown;
}

/** How long the worker of {@link outcomes} may take, start included (some 1 s), before it is ended. */
const DEADLINE_MS = 30_000;

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
import('tsx/esm/api')
  .then(({ tsImport }) => tsImport(workerData.src, workerData.src))
  .then(({ parseJsonBody }) => {
    parentPort.postMessage(workerData.texts.map((text) => {
      try {
        return { code: 'ok', value: parseJsonBody(text, 64) };
      } catch (err) {
        if (err?.constructor?.name !== 'ApiError') throw err;
        return { code: err.code, message: err.message };
      }
    }));
  });
`;

/**
 * parseJsonBody(text, 64) of each text, run in a worker thread that is ended after DEADLINE_MS: the exact scan skips
 * strings by looking for a closing quote with no odd run of backslashes before it, and a wrong parity there (found
 * by mutation testing) never finds one, looping for ever. In this thread that hung the file; here it fails the test.
 */
async function outcomes(texts: readonly string[]): Promise<Outcome[]> {
  const src = new URL('../../src/http/json-body.ts', import.meta.url).href;
  const worker = new Worker(WORKER, { eval: true, workerData: { src, texts } });
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<Outcome[]>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the worker exited (${code}) without an answer`)));
      timer = setTimeout(
        () => reject(new Error(`parseJsonBody did not finish ${texts.length} texts in ${DEADLINE_MS} ms`)),
        DEADLINE_MS,
      );
    });
  } finally {
    clearTimeout(timer);
    await worker.terminate();
  }
}

/** The code parseJsonBody answers each text with ('ok' when it accepts it), computed in bounded time. */
async function codes(texts: readonly string[]): Promise<string[]> {
  return (await outcomes(texts)).map((o) => o.code);
}

const colonHeavy = JSON.stringify({
  id: 'urn:vouch:event:1',
  at: '2026-12-04T22:15:55.123Z',
  links: Array.from({ length: 40 }, (_, i) => ({
    url: `https://example.test:8443/a:b/${i}?t=12:00:00`,
    seen: `2026-12-0${(i % 9) + 1}T0${i % 10}:00:00Z`,
    'key:with:colons': 'x:y',
  })),
});

test('a member name repeated in one object is refused with INVALID_JSON, at any depth', async () => {
  const texts = [
    '{"purpose":"tokens","purpose":"capability"}',
    '{"a":1,"a":1}',
    '{"a":{"b":1,"c":{"d":[1,{"e":1,"e":2}]}}}',
    '{"a":{"b":1,"b":2}}',
    '[{"x":1},{"x":2},{"y":1,"z":2,"y":3}]',
    '[[[{"k":"v"}]],[{"k":1,"k":{}}]]',
    '{"at":"12:00","at":"13:00"}',
    '{"a:b":1,"{":2,"[":3,"a:b":4}',
    // Whitespace before a colon, and a `":` inside a string.
    '{"a" :1,"a":2}',
    '{"a"\n:1,"b":"x\\":y","a"\t:2}',
    '{"a":"\\":\\":\\":","a":1}',
    // Only a tab, or only a CR, before a colon: still whitespace that hides a name's `":`.
    '{"a"\t:1,"a":2}',
    '{"a":1,"a"\r:2}',
    // A colon written as \u003a or \u003A is in the parsed string but not in the text: it must not stand in for the
    // colon a dropped member took with it.
    '{"a" :1,"x":"\\u003a","a":2}',
    '{"a" :1,"x":"\\u003A","a":2}',
    // Compared after unescaping.
    '{"a":1,"\\u0061":2}',
    '{"\\u0041b":1,"A\\u0062":2}',
    '{"\\"":1,"\\u0022":2}',
    '{"a\\\\":1,"a\\u005c":2}',
    '{"\\/":1,"/":2}',
    // Names that are also Object.prototype's: a name like any other.
    '{"constructor":1,"constructor":2}',
    '{"toString":{},"hasOwnProperty":1,"toString":[]}',
  ];
  assert.deepEqual(
    (await codes(texts)).map((c, i) => [texts[i], c]),
    texts.map((t) => [t, 'INVALID_JSON']),
  );
  const [nested] = await outcomes(['{"x":{"purpose":1,"purpose":2}}']);
  assert.match(nested?.message ?? '', /repeats the member name "purpose"/);
});

test('"__proto__" repeated is refused as a repeated name, and a repeat that drops a "__proto__" still is', async () => {
  const texts = [
    '{"__proto__":1,"__proto__":2}',
    '{"__proto__":{},"\\u005f_proto__":{}}',
    '{"a":{"__proto__":1},"a":2}',
    '{"a":2,"a":{"__proto__":1}}',
    '[{"__proto__":null,"x":1,"x":2}]',
    // A lone surrogate and a repeat: refused either way, with the same code.
    '{"a":"\\ud800","a":1}',
    // Without a repeat, "__proto__" keeps its own refusal.
    '{"__proto__":1,"a":1}',
    '{"__proto__":{"__proto__":1}}',
  ];
  const expected = [...texts.slice(0, -2).map(() => 'INVALID_JSON'), 'VALIDATION_FAILED', 'VALIDATION_FAILED'];
  assert.deepEqual(
    (await codes(texts)).map((c, i) => [texts[i], c]),
    texts.map((t, i) => [t, expected[i]]),
  );
});

test('the same name in different objects, and colons inside strings, are accepted', async () => {
  const texts = [
    '{"a":{"a":{"a":1}}}',
    '[{"x":1},{"x":2},{"x":3}]',
    '{"a":1,"\\u0062":2,"A":3}',
    '{"a":1,"a ":2," a":3}',
    '{"toString":1,"constructor":2,"hasOwnProperty":3,"__defineGetter__":4}',
    '{"u":"a\\u003ab","v":"\\"a\\":1,\\"a\\":2"}',
    '{"\\"":1,"\\\\":2,"\\\\\\"":3}',
    '"a:b:c"',
    '["a:b",{"c":"d:e"},[]]',
    '{}',
    '{"a" : 1, "b"\r\n:\t{"a"\n:"x:y"}}',
    '{"a":"\\":\\":\\":","b":1}',
    colonHeavy,
    JSON.stringify(JSON.parse(colonHeavy), null, 2),
    // With a \\u escape the value's colons are not counted: the exact scan decides.
    colonHeavy.replace('"urn:', '"\\u0075rn:'),
    colonHeavy.replace('"id"', '"i\\nd"'),
  ];
  assert.deepEqual(
    (await codes(texts)).map((c, i) => [texts[i], c]),
    texts.map((t) => [t, 'ok']),
  );
  assert.deepEqual(await codes([colonHeavy.replace('"key:with:colons"', '"url"')]), ['INVALID_JSON']);
});

test('the parsed value is JSON.parse answer when nothing repeats', async () => {
  const [heavy, escaped] = await outcomes([colonHeavy, '{"a":1,"\\u0062":"x:y"}']);
  assert.deepEqual(heavy, { code: 'ok', value: JSON.parse(colonHeavy) });
  assert.deepEqual(escaped, { code: 'ok', value: { a: 1, b: 'x:y' } });
});

eachEngine('a key rotation whose body repeats "purpose" is refused and rotates nothing', async ({ open }) => {
  const storage = await open();
  const t = await tokenApp(storage);
  try {
    // Start the keys the app creates on first use.
    await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    const before = await listServerKeys(storage, t.kek);
    const payloads = [
      '{"purpose":"tokens","purpose":"capability"}',
      '{"purpose":"capability","\\u0070urpose":"tokens"}',
    ];
    // Parsed in bounded time first: the parser runs in this thread below, where a scan that never ends would hang.
    assert.deepEqual(await codes(payloads), ['INVALID_JSON', 'INVALID_JSON']);
    for (const payload of payloads) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/admin/keys/rotate',
        headers: { ...ADMIN, 'content-type': 'application/json' },
        payload,
      });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().code, 'INVALID_JSON');
      assert.match(res.json().error, /repeats the member name "purpose"/);
    }
    const after = await listServerKeys(storage, t.kek);
    assert.deepEqual(
      after.map((k) => [k.kid, k.status]),
      before.map((k) => [k.kid, k.status]),
    );
    const audit = await storage.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'server_key.rotate')
      .execute();
    assert.equal(audit.length, 0);
    // The same body without the repeat rotates.
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/v1/admin/keys/rotate',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      payload: '{"purpose":"capability"}',
    });
    assert.equal(ok.statusCode, 201, ok.body);
  } finally {
    await t.app.close();
  }
});
