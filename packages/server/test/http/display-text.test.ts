// Names, labels, descriptions and notes that pages, the CLI and other agents show are refused when they carry
// characters that make one name look like another or reorder what a reader sees (bidi overrides and isolates,
// zero-width space, BOM, C1 controls, line separators); the joiners scripts and emoji need still pass.
import assert from 'node:assert/strict';
import { generateKeyPair } from '@vouch/sdk';
import { eachEngine } from '../helpers/storage.ts';
import { makeApp, tableCounts, TEST_ADMIN_KEY } from '../helpers/app.ts';

const admin = { 'x-api-key': TEST_ADMIN_KEY };
const ENV = { VOUCH_LOG_LEVEL: 'silent', VOUCH_POW_DIFFICULTY: '0', VOUCH_PUBLIC_URL: 'https://vouch.test' };
const SPOOFS = [
  'pay\u202Elapyap',
  'pay\u2066pal',
  'pay\u200Bpal',
  '\uFEFFpaypal',
  'pay\u0085pal',
  'pay\u009Bpal',
  'a\u2028b',
];
const FINE = ['PayPal Assistant', 'نامه\u200Cنگار', '👩\u200D💻 Dev', 'Zoë & Søren'];

eachEngine(
  'display text with invisible or reordering characters is refused on every route that shows it',
  async ({ open }) => {
    const storage = await open();
    const { app } = await makeApp(storage, { env: ENV });
    try {
      const key = await generateKeyPair('Ed25519');
      const sends = (text: string) => [
        app.inject({
          method: 'POST',
          url: '/api/v1/owners',
          headers: admin,
          payload: { name: text, handle: `h${text.length}` },
        }),
        app.inject({
          method: 'POST',
          url: '/api/v1/agents/register',
          payload: { publicKey: key.publicKeyBase64, powNonce: '0', label: text },
        }),
        app.inject({ method: 'POST', url: '/v1/identity/register', payload: { slug: 'spoof-check', name: text } }),
        app.inject({
          method: 'POST',
          url: '/v1/identity/register',
          payload: { slug: 'spoof-check', description: text },
        }),
        app.inject({
          method: 'POST',
          url: '/api/v1/admin/integrators',
          headers: admin,
          payload: {
            slug: 'spoof-shop',
            name: text,
            domain: 'shop.example',
            metrics: [{ metricKey: 'ok', polarity: 'boost', weight: 1, lane: 'conduct' }],
          },
        }),
      ];
      const before = await tableCounts(storage);
      for (const text of SPOOFS) {
        for (const res of await Promise.all(sends(text))) {
          assert.equal(res.statusCode, 400, `${JSON.stringify(text)}: ${res.body}`);
          assert.equal((res.json() as { code: string }).code, 'VALIDATION_FAILED');
        }
      }
      assert.deepEqual(await tableCounts(storage), before, 'nothing written');
      // Joiners, accents and emoji are names too.
      for (const [i, text] of FINE.entries()) {
        const res = await app.inject({
          method: 'POST',
          url: '/api/v1/owners',
          headers: admin,
          payload: { name: text, handle: `fine${i}` },
        });
        assert.equal(res.statusCode, 201, `${text}: ${res.body}`);
      }
    } finally {
      await app.close();
    }
  },
);
