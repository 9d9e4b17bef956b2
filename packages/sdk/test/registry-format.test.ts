// Registry file formats: strict parsing of outside bytes, hand-written validators that name the file and field, and
// the exact bytes that get signed.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  canonicalize,
  decodeUtf8,
  draftIssuerEntry,
  draftProposal,
  governanceStepHash,
  isVouchError,
  jwkThumbprint,
  parseIssuerEntry,
  parseProposal,
  parsePublicKey,
  parseRegistryDocument,
  proposalId,
  proposalSigningBytes,
  registryDocumentSigningBytes,
  registryIdOf,
  RegistryFormatError,
  sha256HexSync,
  validateIssuerEntry,
  validateProposal,
  type IssuerEntry,
} from '../src/index.ts';
import {
  at,
  cosignProposal,
  entryFor,
  governedRegistry,
  makeOrg,
  proposalFor,
  throwsCode,
  type Governed,
  type Org,
} from './registry-fixtures.ts';

let g: Governed;
let acme: Org;
before(async () => {
  g = await governedRegistry();
  acme = await makeOrg('acme');
});

function formatError(fn: () => unknown): RegistryFormatError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof RegistryFormatError, `expected RegistryFormatError, got ${String(e)}`);
    assert.equal(e.code, 'REGISTRY_INVALID');
    return e;
  }
  assert.fail('expected a RegistryFormatError');
}

describe('issuer entries', () => {
  test('draftIssuerEntry: validated, unsigned, url defaulting to the endpoint origin', () => {
    const e = draftIssuerEntry({
      id: 'acme-labs',
      publicKey: acme.publicKey,
      endpoint: 'https://credentials.acme.example/v1',
      name: 'Acme Labs',
      contact: 'trust@acme.example',
      registeredAt: at(0),
    });
    assert.deepEqual(e, {
      id: 'acme-labs',
      publicKey: acme.publicKey,
      endpoint: 'https://credentials.acme.example/v1',
      registeredAt: '2025-01-01T00:00:00.000Z',
      metadata: { name: 'Acme Labs', url: 'https://credentials.acme.example', contact: 'trust@acme.example' },
      signatures: [],
    });
    assert.equal(
      draftIssuerEntry({ ...e, ...e.metadata, publicKey: parsePublicKey(acme.publicKey) }).publicKey,
      acme.publicKey,
    );
  });

  test('ids: lowercase alphanumerics and single hyphens, at most 64 characters', () => {
    for (const id of ['a', 'acme', 'acme-labs-2', 'x'.repeat(64)]) validateIssuerEntry({ ...entryFor(acme), id });
    for (const id of ['Acme', '-acme', 'acme-', 'ac--me', 'ac_me', 'acme labs', '', 'x'.repeat(65), 'ünï']) {
      const e = formatError(() => validateIssuerEntry({ ...entryFor(acme), id }, { source: 'issuers/x.json' }));
      assert.equal(e.field, 'id');
      assert.equal(e.source, 'issuers/x.json');
      assert.match(e.message, /^issuers\/x\.json: id: /);
    }
  });

  test('every field is checked and named; unknown members are refused at every level', () => {
    const base = entryFor(acme);
    const cases: [unknown, string, RegExp][] = [
      [{ ...base, publicKey: 'ed25519:abc' }, 'publicKey', /Ed25519 public key/],
      [{ ...base, publicKey: acme.publicKey.slice(0, -1) + 'B' }, 'publicKey', /strict base64url/],
      [{ ...base, endpoint: 'http://acme.example' }, 'endpoint', /https/],
      [{ ...base, endpoint: 'https://user:pw@acme.example' }, 'endpoint', /user name/],
      [{ ...base, registeredAt: '2025-02-30T00:00:00.000Z' }, 'registeredAt', /real calendar/],
      [{ ...base, registeredAt: '2025-01-01 00:00:00' }, 'registeredAt', /ISO-8601/],
      [{ ...base, metadata: { ...base.metadata, contact: '' } }, 'metadata.contact', /empty/],
      [{ ...base, metadata: { ...base.metadata, name: 'a\u0000b' } }, 'metadata.name', /control/],
      [{ ...base, metadata: { ...base.metadata, logo: 'x' } }, 'metadata', /unknown member "logo"/],
      [{ ...base, extra: 1 }, '', /unknown member "extra"/],
      [
        { ...base, signatures: [{ issuerId: 'x', signature: 'ed25519:' + 'A'.repeat(86), signedAt: 'now' }] },
        'signatures[0].signedAt',
        /ISO/,
      ],
      [
        {
          ...base,
          signatures: [{ issuerId: 'x', signature: 'ed25519:' + 'A'.repeat(85) + 'B', signedAt: at(0).toISOString() }],
        },
        'signatures[0].signature',
        /strict base64url/,
      ],
      [{ ...base, signatures: {} }, 'signatures', /array/],
    ];
    for (const [value, field, message] of cases) {
      const e = formatError(() => validateIssuerEntry(value));
      assert.equal(e.field, field, e.message);
      assert.match(e.message, message);
    }
    validateIssuerEntry({ ...base, $schema: '../schemas/issuer.schema.json' });
  });

  test('parseIssuerEntry reads outside bytes strictly: duplicate keys, non-finite numbers, BOM, size', () => {
    const text = JSON.stringify(entryFor(acme));
    assert.deepEqual(parseIssuerEntry(text), entryFor(acme));
    assert.deepEqual(parseIssuerEntry(new TextEncoder().encode(text)), entryFor(acme));
    const dup = text.replace('{"id":"acme"', '{"id":"acme","id":"evil"');
    const e = formatError(() => parseIssuerEntry(dup, { source: 'issuers/acme.json' }));
    assert.match(e.message, /^issuers\/acme\.json: is not strict JSON \(DUPLICATE_KEY\)/);
    assert.ok(isVouchError(e.cause, 'DUPLICATE_KEY'));
    formatError(() => parseIssuerEntry('\ufeff' + text));
    formatError(() => parseIssuerEntry(text.replace('"signatures":[]', '"signatures":[1e999]')));
    formatError(() => parseIssuerEntry(' '.repeat(1024 * 1024 + 1)));
  });

  test('signing bytes: RFC 8785 of everything but signatures and $schema, nested metadata included', () => {
    const entry: IssuerEntry = { $schema: 'x', ...entryFor(acme) };
    const proposal = {
      $schema: 'y',
      ...draftProposal({
        registry: 'r'.repeat(43),
        baseSequence: 7,
        action: 'add',
        entry,
        expiresAt: '2025-01-02T00:00:00.000Z',
      }),
    };
    const bytes = decodeUtf8(proposalSigningBytes(proposal));
    const { signatures: _s, $schema: _d, ...payload } = entry;
    const { signatures: _ps, $schema: _pd, ...unsignedProposal } = proposal;
    assert.equal(bytes, canonicalize(unsignedProposal));
    assert.deepEqual(unsignedProposal.entry, payload, 'the entry is embedded without signatures and $schema');
    // An entry's admission names the registry, the sequence and a deadline (docs/registry.md, "Admission").
    assert.match(bytes, /"baseSequence":7,/);
    assert.match(bytes, /"expiresAt":"2025-01-02T00:00:00\.000Z"/);
    assert.match(bytes, /"registry":"r{43}"/);
    assert.match(
      bytes,
      /"metadata":\{"contact":"trust@acme\.example","description":"[^"]+","name":"Acme Inc\.","url":/,
    );
    assert.deepEqual(
      proposalSigningBytes({
        ...proposal,
        signatures: [{ issuerId: 'z', signature: 'ed25519:x', signedAt: 'y' }],
      }),
      proposalSigningBytes(proposal),
    );
    // The seed's replacer array keeps only top-level names: every metadata member vanishes.
    assert.equal(
      JSON.stringify(payload, Object.keys(payload).sort()).includes('"metadata":{}'),
      true,
      'the seed would sign an empty metadata object',
    );
  });
});

describe('proposals', () => {
  test('drafted per action, validated per action', () => {
    const remove = proposalFor(g.state, { action: 'remove', subject: 'bravo', reason: 'gone' });
    assert.deepEqual(Object.keys(remove), [
      'type',
      'registry',
      'baseSequence',
      'action',
      'subject',
      'reason',
      'expiresAt',
      'signatures',
    ]);
    assert.equal(remove.type, 'vouch-registry-proposal-v1');
    assert.equal(remove.registry, g.doc.registry);
    assert.equal(remove.baseSequence, 5);

    const base = { registry: g.doc.registry, baseSequence: 5, expiresAt: at(9) };
    throwsCode(
      () => draftProposal({ ...base, action: 'remove', subject: 'bravo' }),
      'REGISTRY_INVALID',
      /reason: is required/,
    );
    throwsCode(
      () => draftProposal({ ...base, action: 'threshold' }),
      'REGISTRY_INVALID',
      /threshold: must be a JSON object/,
    );
    throwsCode(
      () => draftProposal({ ...base, action: 'threshold', threshold: { required: 1 } }),
      'REGISTRY_INVALID',
      /threshold\.required: must be from 2/,
    );
    throwsCode(
      () => draftProposal({ ...base, action: 'threshold', subject: 'bravo', threshold: { required: 2 } }),
      'REGISTRY_INVALID',
      /subject: must be absent/,
    );
    throwsCode(
      () => draftProposal({ ...base, action: 'update', subject: 'bravo' }),
      'REGISTRY_INVALID',
      /entry: is required/,
    );
    const entry = entryFor(acme);
    throwsCode(
      () => draftProposal({ ...base, action: 'update', subject: 'bravo', entry }),
      'REGISTRY_INVALID',
      /entry\.id: must equal the proposal subject/,
    );
    const update = draftProposal({ ...base, action: 'add', entry: { ...entry, $schema: 'x' } as IssuerEntry });
    assert.equal(update.subject, 'acme');
    assert.equal('signatures' in update.entry!, false, 'a proposal entry carries no signatures of its own');
    throwsCode(
      () => validateProposal({ ...update, entry: { ...update.entry, signatures: [] } }),
      'REGISTRY_INVALID',
      /entry: has an unknown member "signatures"/,
    );
    throwsCode(
      () => validateProposal({ ...update, type: 'other' }),
      'REGISTRY_INVALID',
      /type: must be "vouch-registry-proposal-v1"/,
    );
    throwsCode(
      () => validateProposal({ ...update, baseSequence: 0 }),
      'REGISTRY_INVALID',
      /baseSequence: must be from 1/,
    );
    throwsCode(
      () => validateProposal({ ...update, baseSequence: 1.5 }),
      'REGISTRY_INVALID',
      /baseSequence: must be an integer/,
    );
    throwsCode(() => validateProposal({ ...update, action: 'delete' }), 'REGISTRY_INVALID', /action: must be one of/);
  });

  test('signing bytes bind registry, baseSequence and deadline; the id ignores signatures', async () => {
    const p = proposalFor(g.state, { action: 'threshold', threshold: { required: 2 } });
    const { signatures: _s, ...payload } = p;
    assert.equal(decodeUtf8(proposalSigningBytes(p)), canonicalize(payload));
    const signed = await cosignProposal(p, [g.orgs.alpha!]);
    assert.equal(proposalId(signed), proposalId(p));
    assert.equal(proposalId(p), sha256HexSync(proposalSigningBytes(p)));
    assert.notEqual(proposalId({ ...p, baseSequence: 6 }), proposalId(p));
    assert.deepEqual(parseProposal(JSON.stringify(signed), { source: 'p.json' }), signed);
  });
});

describe('registry documents', () => {
  test('round trip through text; signing bytes exclude only rootSignature; step hashes are SHA-256 of RFC 8785', () => {
    const text = JSON.stringify(g.doc, null, 2);
    const doc = parseRegistryDocument(text, { source: 'registry.json' });
    assert.equal(canonicalize(doc), canonicalize(g.doc));
    const { rootSignature: _r, ...unsigned } = g.doc;
    assert.equal(decodeUtf8(registryDocumentSigningBytes(g.doc)), canonicalize(unsigned));
    assert.equal(governanceStepHash(g.doc.governance[0]!), sha256HexSync(canonicalize(g.doc.governance[0])));
    assert.equal((g.doc.governance[1] as { prev: string }).prev, governanceStepHash(g.doc.governance[0]!));
  });

  test('malformed documents are refused naming the field', () => {
    const text = JSON.stringify(g.doc);
    const cases: [(d: Record<string, unknown>) => void, RegExp][] = [
      [(d) => (d.version = '2.0'), /^registry\.json: version: must be "1\.0"/],
      [(d) => (d.sequence = -1), /^registry\.json: sequence: must be from 1/],
      [(d) => (d.expiresAt = d.updatedAt), /^registry\.json: expiresAt: must be later than updatedAt/],
      [(d) => (d.governance = []), /^registry\.json: governance: must start with the genesis step/],
      [
        (d) => ((d.governance as { kind: string }[])[2]!.kind = 'vote'),
        /governance\[2\]\.kind: must be one of genesis, admit, proposal/,
      ],
      [
        (d) => ((d.governance as { prev: string }[])[1]!.prev = 'ABC'),
        /governance\[1\]\.prev: must be 64 lowercase hex/,
      ],
      [
        (d) => ((d.governance as { proposal: { action: string } }[])[3]!.proposal.action = 'nuke'),
        /governance\[3\]\.proposal\.action: must be one of/,
      ],
      [(d) => ((d.revoked as { reason: unknown }[])[0]!.reason = 5), /revoked\[0\]\.reason: must be a string/],
      [(d) => (d.rootSignature = 'ed25519:' + 'A'.repeat(85)), /rootSignature: must be an Ed25519 signature/],
      [(d) => (d.threshold = { required: 3 }), /threshold\.total: is required/],
      [(d) => (d.registry = 'not-a-thumbprint'), /registry: must be an RFC 7638/],
    ];
    for (const [mutate, message] of cases) {
      const d = JSON.parse(text) as Record<string, unknown>;
      mutate(d);
      throwsCode(
        () => parseRegistryDocument(JSON.stringify(d), { source: 'registry.json' }),
        'REGISTRY_INVALID',
        message,
      );
    }
    throwsCode(() => parseRegistryDocument(text, { maxBytes: 100 }), 'REGISTRY_INVALID', /larger than 100 bytes/);
    throwsCode(() => parseRegistryDocument('[]'), 'REGISTRY_INVALID', /must be a JSON object/);
    throwsCode(() => parseRegistryDocument('{"a":' + '['.repeat(40)), 'REGISTRY_INVALID', /JSON_TOO_DEEP/);
  });

  test('the registry id is the RFC 7638 thumbprint of the root key', async () => {
    const key = parsePublicKey(g.root.publicKey);
    assert.equal(registryIdOf(g.root.publicKey), await jwkThumbprint(key));
    assert.equal(registryIdOf(key), g.doc.registry);
    throwsCode(() => registryIdOf('not a key!'), 'INVALID_KEY');
  });
});
