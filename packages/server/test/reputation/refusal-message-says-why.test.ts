// An event's refusal says what the value breaks. A negative occurredAt is an integer of ms, so "must be an integer of
// ms" sent the caller looking for a fraction or a string; an enumValue with a control character is 1 to 100
// characters long, so "must be a string of 1 to 100 characters" named no fault at all.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventError, parseEvent } from '../../src/modules/reputation/event.ts';

const NOW = Date.UTC(2026, 0, 1);

function refusal(extra: Record<string, unknown>): string {
  const raw = {
    envId: 'shop.production.v1',
    externalEventId: 'e-1',
    eventType: 'task.completed',
    subjectType: 'agent',
    subjectId: 'agent-1',
    actorType: 'human',
    actorId: 'user-1',
    ...extra,
  };
  try {
    parseEvent(raw, 'shop', NOW);
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
