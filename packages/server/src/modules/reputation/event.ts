// One ingested event, checked field by field. Ingestion answers per event, so a bad event is a result with an
// error (and a stable code), never an exception that would reject its neighbours.
import { finiteJsonText } from '@vouch/sdk';
import { nameSegment } from '../../http/error-handler.ts';
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
  | 'CONSENT_REQUIRED'
  /** Its counted contributions would take a lane sum of the agent past 2^53 − 1 micro-points (state.ts). */
  | 'SCORE_SUM_LIMIT';

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

interface EnvParts {
  slug: string;
  version: number;
}

/** Parsed envIds: a batch names the same few, and the parts depend on the text alone. Bounded; cleared when full. */
const envIds = new Map<string, EnvParts | null>();
const ENV_ID_CACHE = 256;

function parseEnvId(envId: string): EnvParts | null {
  let parts = envIds.get(envId);
  if (parts === undefined) {
    const m = ENV_ID.exec(envId);
    parts = m === null ? null : { slug: m[1]!, version: Number(m[3]) };
    if (envIds.size >= ENV_ID_CACHE) envIds.clear();
    envIds.set(envId, parts);
  }
  return parts;
}

/**
 * The external id of a raw event if it is a valid one (what parseEvent accepts), else null: the id a refused event
 * is looked up by, so that a stored event retried in any form is a retry, and the one its result line echoes. An
 * invalid id (too long, or with a control character) is never looked up, and its result says null: no usable id.
 */
export function validExternalIdOf(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const v = (raw as Record<string, unknown>).externalEventId;
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_TEXT && TEXT.test(v) ? v : null;
}

/**
 * An unknown member's name as a message names it: the caller's text, so as docs/PROTOCOL.md "Errors" names a refused
 * member (itself when it reads as a name, else `["..."]` escaped and cut), never a terminal escape or bidi override.
 */
function memberName(key: string): string {
  const segment = nameSegment(key);
  return segment.startsWith('.') ? segment.slice(1) : segment;
}

/**
 * Checks everything about one event that needs no database: shape, lengths, `envId` naming the caller, the
 * `sys:` form of system actors, `occurredAt` (default `now`), metric values, and `data` within 16 KiB.
 */
export function parseEvent(raw: unknown, caller: string, now: number): ParsedEvent {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('Each event must be a JSON object.');
  const o = raw as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!KNOWN_FIELDS.has(key)) fail(`${memberName(key)} is not an event field.`);
  const envId = text(o, 'envId', true);
  const env = parseEnvId(envId);
  if (env === null) fail('envId must be "<integratorSlug>.<namespace>.v<version>", e.g. "shop.production.v1".');
  if (env.slug !== caller) throw new EventError('FORBIDDEN', "envId must name the calling integrator's slug.");
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
    if (typeof t !== 'number' || !Number.isSafeInteger(t)) fail('occurredAt must be an integer of ms.');
    if (t < 0) fail('occurredAt must not be before the epoch (1970-01-01T00:00:00Z, 0 ms).');
    if (t > now + MAX_FUTURE_MS) fail('occurredAt is more than 5 minutes in the future.');
    occurredAt = t;
  }
  const metricValues = parseMetricValues(o.metricValues);
  let data: string | null = null;
  if (o.data !== undefined && o.data !== null) {
    // A number beyond a double's range (1e400) parses as Infinity, which JSON.stringify writes as null: refused rather
    // than stored as something the request did not carry.
    data = finiteJsonText(o.data, () =>
      fail('data must not hold a number beyond the range of a double (it would be stored as null).'),
    );
    // A UTF-16 code unit is at most 3 UTF-8 bytes: short texts need no byte count.
    if (data.length * 3 > MAX_DATA_BYTES && Buffer.byteLength(data, 'utf8') > MAX_DATA_BYTES) {
      fail(`data must be at most ${MAX_DATA_BYTES} bytes of JSON.`);
    }
  }
  return {
    envId,
    integratorSlug: env.slug,
    version: env.version,
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

/** Refuses metric value `i` of an event. */
function badValue(i: number, message: string): never {
  fail(`metricValues[${i}]${message}`);
}

const METRIC_KEY = /^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,99}$/;

function parseMetricValues(raw: unknown): MetricValue[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || raw.length > MAX_METRIC_VALUES) {
    fail(`metricValues must be an array of at most ${MAX_METRIC_VALUES} values.`);
  }
  const out: MetricValue[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const mv: unknown = raw[i];
    if (typeof mv !== 'object' || mv === null || Array.isArray(mv)) badValue(i, ` must be an object.`);
    const m = mv as Record<string, unknown>;
    for (const key of Object.keys(m)) {
      if (key !== 'metricKey' && key !== 'numberValue' && key !== 'booleanValue' && key !== 'enumValue') {
        badValue(i, `${nameSegment(key)} is unknown.`);
      }
    }
    const key = m.metricKey;
    if (typeof key !== 'string' || !METRIC_KEY.test(key)) badValue(i, `.metricKey must be a metric key.`);
    // Earlier keys of this event (at most 100): a linear scan is cheaper than a Set for the usual one or two.
    for (let j = 0; j < i; j++) if (out[j]!.metricKey === key) badValue(i, `.metricKey repeats "${key}".`);
    const n = m.numberValue;
    const b = m.booleanValue;
    const e = m.enumValue;
    const given =
      (n !== undefined && n !== null ? 1 : 0) +
      (b !== undefined && b !== null ? 1 : 0) +
      (e !== undefined && e !== null ? 1 : 0);
    if (given !== 1) badValue(i, ` must have exactly one of numberValue, booleanValue and enumValue.`);
    if (n !== undefined && n !== null) {
      if (typeof n !== 'number' || !Number.isFinite(n)) badValue(i, `.numberValue must be a finite number.`);
      out[i] = { metricKey: key, numberValue: n };
    } else if (b !== undefined && b !== null) {
      if (typeof b !== 'boolean') badValue(i, `.booleanValue must be true or false.`);
      out[i] = { metricKey: key, booleanValue: b };
    } else {
      if (typeof e !== 'string' || e.length === 0 || e.length > 100 || !TEXT.test(e)) {
        badValue(i, `.enumValue must be a string of 1 to 100 characters without control characters.`);
      }
      out[i] = { metricKey: key, enumValue: e };
    }
  }
  return out;
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
