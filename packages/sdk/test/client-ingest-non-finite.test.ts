// JSON has no NaN or Infinity: JSON.stringify writes them as null, and the server takes a null field of an event as
// absent. An `occurredAt` of NaN (`Date.parse` of a bad date) was therefore stored as "now", and a NaN in `data` as
// null, without a word. `integrators.ingest` refuses such events with INVALID_ARGUMENT and sends nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { respond, serveAnswers } from './answering-server.ts';
import { isVouchError, VouchClient } from '../src/index.ts';
import type { IngestEvent } from '../src/index.ts';

const event = (extra: Partial<IngestEvent> = {}): IngestEvent => ({
  envId: 'shop.production.v1',
  externalEventId: 'e1',
  eventType: 'task.completed',
  subjectType: 'agent',
  subjectId: 'did:identity:abcdefghijklmnopqrstuvwxyz',
  actorType: 'human',
  actorId: 'u1',
  ...extra,
});

test('ingest refuses an event holding NaN or Infinity instead of sending it as null', async (t) => {
  const answer = '{"success":true,"count":1,"results":[{"externalEventId":"e1","inserted":true}]}';
  const s = await serveAnswers(t, respond('application/json', answer));
  const client = new VouchClient({ baseUrl: s.url, credentials: { integratorKey: 'vik_test' }, retry: { retries: 0 } });
  const bad: Array<IngestEvent | IngestEvent[]> = [
    event({ occurredAt: Date.parse('not a date') }),
    event({ occurredAt: Infinity }),
    [event(), event({ externalEventId: 'e2', metricValues: [{ metricKey: 'm', numberValue: 0 / 0 }] })],
    event({ data: { ratio: 1 / 0 } }),
    event({ data: -Infinity }),
  ];
  for (const events of bad) {
    await assert.rejects(client.integrators.ingest(events), (err: unknown) => {
      assert.ok(isVouchError(err, 'INVALID_ARGUMENT'), String(err));
      return true;
    });
  }
  assert.deepEqual(s.seen, [], 'nothing was sent');

  // Finite numbers, nulls and undefined members still go as JSON sends them.
  const ok = await client.integrators.ingest(event({ occurredAt: 5, data: { a: null, b: undefined, c: -0 } }));
  assert.equal(ok.count, 1);
  assert.equal(s.seen.length, 1);
});
