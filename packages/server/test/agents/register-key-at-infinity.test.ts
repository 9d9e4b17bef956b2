// An EC public key whose point is at infinity (27 bytes of DER) made node:crypto abort the whole process when the SDK
// parsed it: not an exception, a failed assertion. Both registration routes parse the key before anything else (the
// proof of work included), so one unauthenticated request took the server down. Now each is a 400 with a key code,
// nothing is written, and the server goes on serving. If the SDK's fix regresses, this file's process aborts and
// the runner reports it failed.
import assert from 'node:assert/strict';
import { makeApp, tableCounts } from '../helpers/app.ts';
import { eachEngine } from '../helpers/storage.ts';
import { TEST_ENV } from './helpers.ts';

function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag, body.length]), body]);
}

const EC_PUBLIC_KEY = Buffer.from('06072a8648ce3d0201', 'hex');
const CURVES = { 'P-256': '06082a8648ce3d030107', 'P-384': '06052b81040022', secp256k1: '06052b8104000a' };

/** The PEM of an EC SubjectPublicKeyInfo on `curve` whose point is the single byte 0x00 (SEC 1 §2.3.3). */
function infinityPem(curveOid: string): string {
  const der = tlv(0x30, tlv(0x30, EC_PUBLIC_KEY, Buffer.from(curveOid, 'hex')), tlv(0x03, Buffer.from([0, 0])));
  return `-----BEGIN PUBLIC KEY-----\n${der.toString('base64')}\n-----END PUBLIC KEY-----\n`;
}

eachEngine(
  'a public key at infinity is a 400 on both registration routes, and the server lives on',
  async ({ open }) => {
    const storage = await open();
    const { app } = await makeApp(storage, { env: { ...TEST_ENV, VOUCH_SLUG_REGISTER_RATE_MAX: '1000' } });
    try {
      const before = await tableCounts(storage);
      for (const [name, oid] of Object.entries(CURVES)) {
        const key = infinityPem(oid);
        for (const [url, payload] of [
          ['/api/v1/agents/register', { publicKey: key, powNonce: '0' }],
          ['/v1/identity/register', { slug: `infinity-${name.toLowerCase()}`, public_key_pem: key }],
        ] as const) {
          const res = await app.inject({ method: 'POST', url, payload });
          assert.equal(res.statusCode, 400, `${name} ${url}: ${res.body}`);
          const code = (res.json() as { code: string }).code;
          assert.ok(['INVALID_KEY', 'WRONG_CURVE'].includes(code), `${name} ${url}: ${code}`);
        }
      }
      assert.deepEqual(await tableCounts(storage), before, 'nothing written');
      const health = await app.inject({ method: 'GET', url: '/healthz' });
      assert.equal(health.statusCode, 200);
    } finally {
      await app.close();
    }
  },
);
