// An event's refusal says what the value breaks. A negative occurredAt is an integer of ms, so "must be an integer of
// ms" sent the caller looking for a fraction or a string; an enumValue with a control character is 1 to 100
// characters long, so "must be a string of 1 to 100 characters" named no fault at all.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventError, parseEvent } from '../../src/modules/reputation/event.ts';

const NOW = Date.UTC(2026, 0, 1);

/** A valid event with `extra` over it. */
function eventWith(extra: Record<string, unknown>): Record<string, unknown> {
  return {
    envId: 'shop.production.v1',
    externalEventId: 'e-1',
    eventType: 'task.completed',
    subjectType: 'agent',
    subjectId: 'agent-1',
    actorType: 'human',
    actorId: 'user-1',
    ...extra,
  };
}

function refusal(extra: Record<string, unknown>): string {
  try {
    parseEvent(eventWith(extra), 'shop', NOW);
  } catch (err) {
    assert.ok(err instanceof EventError);
    assert.equal(err.code, 'VALIDATION_FAILED');
    return err.message;
  }
  assert.fail('the event was accepted');
}

test('a negative occurredAt is refused as before the epoch, a fraction as not an integer', () => {
  assert.match(refusal({ occurredAt: -86_400_000 }), /occurredAt must not be before the epoch/);
  assert.match(refusal({ occurredAt: 1.5 }), /occurredAt must be an integer of ms/);
  assert.match(refusal({ occurredAt: '1767225600000' }), /occurredAt must be an integer of ms/);
});

test('an enumValue with a control character is refused as such', () => {
  const message = refusal({ metricValues: [{ metricKey: 'tier', enumValue: 'gold\nsilver' }] });
  assert.equal(
    message,
    'metricValues[0].enumValue must be a string of 1 to 100 characters without control characters.',
  );
  assert.match(refusal({ metricValues: [{ metricKey: 'tier', enumValue: '' }] }), /1 to 100 characters/);
});

// Metric value checks no test held (each mutation passed every reputation and integrators test): a value of the
// wrong type must not count as another (booleanValue "false" counted as true, 1), a single value sent without its
// array must not be stored as an event with no values, an enumValue is at most 100 characters, and a malformed
// metricKey is a malformed event, not a metric the version lacks.
test('metric values of the wrong shape are refused as such', () => {
  assert.match(
    refusal({ metricValues: [{ metricKey: 'done', booleanValue: 'false' }] }),
    /metricValues\[0\]\.booleanValue must be true or false/,
  );
  assert.match(
    refusal({ metricValues: { metricKey: 'done', booleanValue: true } }),
    /metricValues must be an array of at most 100 values/,
  );
  assert.match(refusal({ metricValues: [{ metricKey: 'a b', booleanValue: true }] }), /metricKey must be a metric key/);
  const tier = (n: number) => ({ metricValues: [{ metricKey: 'tier', enumValue: 'e'.repeat(n) }] });
  assert.equal(parseEvent(eventWith(tier(100)), 'shop', NOW).metricValues[0]!.enumValue, 'e'.repeat(100));
  assert.match(refusal(tier(101)), /enumValue must be a string of 1 to 100 characters/);
});
