import type { VouchMigration } from './migration.ts';

/**
 * Integrators, their published metric sets (environment versions), per-agent consents, ingested events and the
 * reputation derived from them. Events are the history: every reputation table below them is derived, kept up to
 * date incrementally as events and report penalties arrive, and can be recomputed from `reputation_events` and
 * `reputation_penalties` alone (see modules/reputation/rebuild.ts).
 */
export const reputation: VouchMigration = {
  async up(db, engine) {
    await db.schema
      .createTable('integrators')
      .addColumn('slug', 'text', (c) => c.primaryKey())
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('domain', 'text', (c) => c.notNull())
      .addColumn('api_key_hash', 'text', (c) => c.notNull().unique())
      .addColumn('current_version', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();

    // One row per published metric set; metrics of a published version never change, so old events keep meaning.
    await db.schema
      .createTable('integrator_environment_versions')
      .addColumn('integrator_slug', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('published_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('integrator_environment_versions_pkey', ['integrator_slug', 'version'])
      .execute();
    await db.schema
      .createTable('integrator_metrics')
      .addColumn('integrator_slug', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('metric_key', 'text', (c) => c.notNull())
      .addColumn('polarity', 'text', (c) => c.notNull())
      .addColumn('weight', 'double precision', (c) => c.notNull())
      .addColumn('lane', 'text', (c) => c.notNull())
      .addColumn('max_per_day', 'integer', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('integrator_metrics_pkey', ['integrator_slug', 'version', 'metric_key'])
      .execute();

    await db.schema
      .createTable('integrator_consents')
      .addColumn('integrator_slug', 'text', (c) => c.notNull())
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('signed_at', 'bigint', (c) => c.notNull())
      .addColumn('signature_hash', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('integrator_consents_pkey', ['integrator_slug', 'agent_id'])
      .execute();

    // `seq` orders the history: the incremental update and the rebuild apply an agent's events in seq order.
    await db.schema
      .createTable('reputation_events')
      .$call((t) =>
        engine === 'postgres'
          ? t.addColumn('seq', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
          : t.addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement()),
      )
      .addColumn('integrator_slug', 'text', (c) => c.notNull())
      .addColumn('external_event_id', 'text', (c) => c.notNull())
      .addColumn('env_id', 'text', (c) => c.notNull())
      .addColumn('event_type', 'text', (c) => c.notNull())
      .addColumn('subject_type', 'text', (c) => c.notNull())
      .addColumn('subject_id', 'text', (c) => c.notNull())
      .addColumn('agent_id', 'text')
      .addColumn('actor_type', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text', (c) => c.notNull())
      .addColumn('occurred_at', 'bigint', (c) => c.notNull())
      .addColumn('metric_values', 'text', (c) => c.notNull())
      .addColumn('severity', 'text')
      .addColumn('counterparty_type', 'text')
      .addColumn('counterparty_id', 'text')
      .addColumn('interaction_id', 'text')
      .addColumn('data', 'text')
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      // Idempotent ingestion: a retried event is found here, in any process.
      .addUniqueConstraint('reputation_events_external_key', ['integrator_slug', 'external_event_id'])
      .execute();
    await db.schema
      .createIndex('reputation_events_agent_seq_idx')
      .on('reputation_events')
      .columns(['agent_id', 'seq'])
      .execute();

    // Report penalties as history (the reports themselves belong to the signatures module).
    await db.schema
      .createTable('reputation_penalties')
      .$call((t) =>
        engine === 'postgres'
          ? t.addColumn('seq', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
          : t.addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement()),
      )
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('penalty', 'double precision', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('reputation_penalties_agent_idx')
      .on('reputation_penalties')
      .column('agent_id')
      .execute();

    // Derived state. Contributions are integer micro-points, so sums are exact whatever the order of addition.
    // scope: 'global', or the integrator slug for the integrator-scoped score.
    await db.schema
      .createTable('reputation_scores')
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('origin_micro', 'bigint', (c) => c.notNull())
      .addColumn('presence_micro', 'bigint', (c) => c.notNull())
      .addColumn('conduct_micro', 'bigint', (c) => c.notNull())
      .addColumn('penalty', 'double precision', (c) => c.notNull())
      .addColumn('environment_count', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('reputation_scores_pkey', ['agent_id', 'scope'])
      .execute();
    await db.schema
      .createTable('reputation_metric_totals')
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('env_id', 'text', (c) => c.notNull())
      .addColumn('metric_key', 'text', (c) => c.notNull())
      .addColumn('integrator_slug', 'text', (c) => c.notNull())
      .addColumn('total_events', 'bigint', (c) => c.notNull())
      .addColumn('weighted_micro', 'bigint', (c) => c.notNull())
      .addColumn('last_event_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('reputation_metric_totals_pkey', ['agent_id', 'env_id', 'metric_key'])
      .execute();
    await db.schema
      .createTable('reputation_day_counts')
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('env_id', 'text', (c) => c.notNull())
      .addColumn('metric_key', 'text', (c) => c.notNull())
      .addColumn('day', 'integer', (c) => c.notNull())
      .addColumn('counted', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('reputation_day_counts_pkey', ['agent_id', 'env_id', 'metric_key', 'day'])
      .execute();
    await db.schema
      .createTable('reputation_env_counts')
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('env_id', 'text', (c) => c.notNull())
      .addColumn('integrator_slug', 'text', (c) => c.notNull())
      .addColumn('counted', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('reputation_env_counts_pkey', ['agent_id', 'env_id'])
      .execute();
  },
};
