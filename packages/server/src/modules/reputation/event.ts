// One ingested event, checked field by field. Ingestion answers per event, so a bad event is a result with an
// error (and a stable code), never an exception that would reject its neighbours.
import type { MetricDefinition, MetricValue } from './formula.ts';

export const SUBJECT_TYPES = ['human', 'agent', 'organization'] as const;
export const ACTOR_TYPES = ['human', 'agent', 'organization', 'system'] as const;
export const SEVERITIES = ['low', 'medium', 'high'] as const;

/** Most events one request may carry. */
export const MAX_BATCH = 1000;
/** Largest `data`, as UTF-8 bytes of its JSON. */
export const MAX_DATA_BYTES = 16 * 1024;
/** Most metric values per event. */
export const MAX_METRIC_VALUES = 100;
/** How far `occurredAt` may be ahead of server time. */
export const MAX_FUTURE_MS = 5 * 60_000;

const ENV_ID = /^([a-z][a-z0-9-]{1,38}[a-z0-9])\.([a-z0-9][a-z0-9_-]{0,62})\.v([1-9][0-9]{0,8})$/;
const EVENT_TYPE = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;
// eslint-disable-next-line no-control-regex
const TEXT = /^[^\x00-\x1f\x7f]+$/;
const SYSTEM_ACTOR = /^sys:[A-Za-z0-9_.-]{1,100}$/;
const MAX_TEXT = 200;

const KNOWN_FIELDS = new Set([
  'envId',
  'externalEventId',
  'eventType',
  'subjectType',
  'subjectId',
  'actorType',
  'actorId',
  'occurredAt',
  'metricValues',
  'severity',
  'counterpartyType',
  'counterpartyId',
  'interactionId',
  'data',
]);

/** Why one event was not stored. */
export type EventErrorCode =
  | 'VALIDATION_FAILED'
  | 'FORBIDDEN'
  | 'ENVIRONMENT_NOT_FOUND'
  | 'METRIC_UNKNOWN'
  | 'AGENT_NOT_FOUND'
  | 'AGENT_REVOKED'
  | 'CONSENT_REQUIRED';

export class EventError extends Error {
  constructor(
    readonly code: EventErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** An event that passed the checks that need no database. */
export interface ParsedEvent {
  envId: string;
  integratorSlug: string;
  version: number;
  externalEventId: string;
  eventType: string;
  subjectType: (typeof SUBJECT_TYPES)[number];
  subjectId: string;
  actorType: (typeof ACTOR_TYPES)[number];
  actorId: string;
  occurredAt: number;
  metricValues: MetricValue[];
  severity: string | null;
  counterpartyType: string | null;
  counterpartyId: string | null;
  interactionId: string | null;
  /** JSON text of `data`, or null. */
  data: string | null;
}

function fail(message: string): never {
  throw new EventError('VALIDATION_FAILED', message);
}

function text(o: Record<string, unknown>, field: string, required: true): string;
function text(o: Record<string, unknown>, field: string, required: false): string | null;
function text(o: Record<string, unknown>, field: string, required: boolean): string | null {
  const v = o[field];
  if (v === undefined || v === null) {
    if (required) fail(`${field} is required.`);
    return null;
  }
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_TEXT || !TEXT.test(v)) {
    fail(`${field} must be a string of 1 to ${MAX_TEXT} characters without control characters.`);
  }
  return v;
}

function oneOf<T extends string>(o: Record<string, unknown>, field: string, values: readonly T[], required: boolean) {
  const v = o[field];
  if ((v === undefined || v === null) && !required) return null;
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
    fail(`${field} must be one of ${values.join(', ')}.`);
  }
  return v as T;
}

/** The external id of a raw event if it has a usable one (for the result line of an invalid event). */
export function externalIdOf(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const v = (raw as Record<string, unknown>).externalEventId;
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_TEXT ? v : null;
}

/**
 * Checks everything about one event that needs no database: shape, lengths, `envId` naming the caller, the
 * `sys:` form of system actors, `occurredAt` (default `now`), metric values, and `data` within 16 KiB.
 */
export function parseEvent(raw: unknown, caller: string, now: number): ParsedEvent {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('Each event must be a JSON object.');
  const o = raw as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!KNOWN_FIELDS.has(key)) fail(`${key} is not an event field.`);
  const envId = text(o, 'envId', true);
  const env = ENV_ID.exec(envId);
  if (env === null) fail('envId must be "<integratorSlug>.<namespace>.v<version>", e.g. "shop.production.v1".');
  if (env[1] !== caller) throw new EventError('FORBIDDEN', "envId must name the calling integrator's slug.");
  const externalEventId = text(o, 'externalEventId', true);
  const eventType = text(o, 'eventType', true);
  if (!EVENT_TYPE.test(eventType)) fail('eventType must be dot-notation, e.g. "task.completed".');
  const subjectType = oneOf(o, 'subjectType', SUBJECT_TYPES, true)!;
  const subjectId = text(o, 'subjectId', true);
  const actorType = oneOf(o, 'actorType', ACTOR_TYPES, true)!;
  const actorId = text(o, 'actorId', true);
  if (actorType === 'system' && !SYSTEM_ACTOR.test(actorId)) {
    fail('actorId of a system actor must be "sys:<name>".');
  }
  let occurredAt = now;
  if (o.occurredAt !== undefined && o.occurredAt !== null) {
    const t = o.occurredAt;
    if (typeof t !== 'number' || !Number.isSafeInteger(t) || t < 0) fail('occurredAt must be an integer of ms.');
    if (t > now + MAX_FUTURE_MS) fail('occurredAt is more than 5 minutes in the future.');
    occurredAt = t;
  }
  const metricValues = parseMetricValues(o.metricValues);
  let data: string | null = null;
  if (o.data !== undefined && o.data !== null) {
    data = JSON.stringify(o.data);
    if (Buffer.byteLength(data, 'utf8') > MAX_DATA_BYTES) fail(`data must be at most ${MAX_DATA_BYTES} bytes of JSON.`);
  }
  return {
    envId,
    integratorSlug: env[1],
    version: Number(env[3]),
    externalEventId,
    eventType,
    subjectType,
    subjectId,
    actorType,
    actorId,
    occurredAt,
    metricValues,
    severity: oneOf(o, 'severity', SEVERITIES, false),
    counterpartyType: text(o, 'counterpartyType', false),
    counterpartyId: text(o, 'counterpartyId', false),
    interactionId: text(o, 'interactionId', false),
    data,
  };
}

function parseMetricValues(raw: unknown): MetricValue[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || raw.length > MAX_METRIC_VALUES) {
    fail(`metricValues must be an array of at most ${MAX_METRIC_VALUES} values.`);
  }
  const seen = new Set<string>();
  return raw.map((mv: unknown, i) => {
    const at = `metricValues[${i}]`;
    if (typeof mv !== 'object' || mv === null || Array.isArray(mv)) fail(`${at} must be an object.`);
    const m = mv as Record<string, unknown>;
    for (const key of Object.keys(m)) {
      if (!['metricKey', 'numberValue', 'booleanValue', 'enumValue'].includes(key)) fail(`${at}.${key} is unknown.`);
    }
    const key = m.metricKey;
    if (typeof key !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,99}$/.test(key)) {
      fail(`${at}.metricKey must be a metric key.`);
    }
    if (seen.has(key)) fail(`${at}.metricKey repeats "${key}".`);
    seen.add(key);
    const given = (['numberValue', 'booleanValue', 'enumValue'] as const).filter(
      (f) => m[f] !== undefined && m[f] !== null,
    );
    if (given.length !== 1) fail(`${at} must have exactly one of numberValue, booleanValue and enumValue.`);
    const f = given[0]!;
    const v = m[f];
    if (f === 'numberValue') {
      if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${at}.numberValue must be a finite number.`);
      return { metricKey: key, numberValue: v };
    }
    if (f === 'booleanValue') {
      if (typeof v !== 'boolean') fail(`${at}.booleanValue must be true or false.`);
      return { metricKey: key, booleanValue: v };
    }
    if (typeof v !== 'string' || v.length === 0 || v.length > 100 || !TEXT.test(v)) {
      fail(`${at}.enumValue must be a string of 1 to 100 characters.`);
    }
    return { metricKey: key, enumValue: v };
  });
}

/** Checks the event's metric values against its environment version's metrics. */
export function checkMetrics(ev: ParsedEvent, metrics: ReadonlyMap<string, MetricDefinition>): void {
  ev.metricValues.forEach((mv, i) => {
    const def = metrics.get(mv.metricKey);
    if (def === undefined) {
      throw new EventError(
        'METRIC_UNKNOWN',
        `metricValues[${i}].metricKey "${mv.metricKey}" is not a metric of ${ev.envId}.`,
      );
    }
    if (def.polarity !== 'neutral' && mv.numberValue !== undefined && mv.numberValue < 0) {
      fail(`metricValues[${i}].numberValue must be >= 0 for a boost or hurt metric.`);
    }
  });
}
