// The change listener of one PostgreSQL storage: a connection of its own (a pooled one would be handed to queries,
// and a LISTEN lives only as long as its session) that LISTENs on the change channel and hands every announcement
// naming this storage's schema to the subscribers. A lost connection is reconnected with backoff; every (re)connect
// tells the subscribers that everything may have changed, since announcements sent meanwhile are lost for good. A
// link that died without a word (no reset: a NAT or firewall dropped it) is found by a heartbeat, not left to TCP
// keep-alive, which Node sets only the idle time of: with Linux's defaults it notices after about 11 minutes.
import pg from 'pg';
import { CHANGE_CHANNEL, EVERYTHING } from '../changes.ts';
import type { ChangeFeed } from '../changes.ts';

/** How pg_stat_activity names the listener's session (unless the database URL names its own application). */
export const LISTENER_APPLICATION_NAME = 'vouch-listener';
/** The first reconnect waits this long; each failure doubles the wait, up to {@link RECONNECT_MAX_MS}. */
export const RECONNECT_MIN_MS = 100;
export const RECONNECT_MAX_MS = 5_000;
/** How often a listening session is asked to answer, and how long it has to; unanswered, it counts as lost. */
export const HEARTBEAT_MS = 15_000;
export const HEARTBEAT_TIMEOUT_MS = 10_000;

export interface PgListenerOptions {
  /** Told why whenever the connection is lost. */
  onLost?: (err: unknown) => void;
  /** Default {@link HEARTBEAT_MS}. */
  heartbeatMs?: number;
  /** Default {@link HEARTBEAT_TIMEOUT_MS}. */
  heartbeatTimeoutMs?: number;
}

export class PgListener implements ChangeFeed {
  readonly #config: pg.ClientConfig;
  readonly #onLost: (err: unknown) => void;
  readonly #heartbeatMs: number;
  readonly #heartbeatTimeoutMs: number;
  #heartbeat: NodeJS.Timeout | undefined;
  readonly #subscribers = new Set<(topic: string) => void>();
  /** The connection in use (connecting or listening); undefined while waiting to reconnect or stopped. */
  #client: pg.Client | undefined;
  /** The schema this storage's tables (and so its announcements) live in, as the listener's session sees it. */
  #schema: string | undefined;
  #retry: NodeJS.Timeout | undefined;
  #failures = 0;
  #running = false;
  #closed = false;

  /** `config` connects one client the way the pool's do (search_path included). */
  constructor(config: pg.ClientConfig, options: PgListenerOptions = {}) {
    // A URL's own application_name wins over this one (pg reads the connection string last).
    this.#config = { application_name: LISTENER_APPLICATION_NAME, ...config };
    this.#onLost = options.onLost ?? (() => undefined);
    this.#heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
    this.#heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? HEARTBEAT_TIMEOUT_MS;
  }

  /** Starts listening with the first subscriber; the last one to leave ends the connection. */
  subscribe(fn: (topic: string) => void): () => void {
    if (this.#closed) return () => undefined;
    this.#subscribers.add(fn);
    if (!this.#running) {
      this.#running = true;
      void this.#connect();
    }
    return () => {
      this.#subscribers.delete(fn);
      if (this.#subscribers.size === 0) void this.#stop();
    };
  }

  /** Ends the connection for good (the storage is closing). */
  close(): Promise<void> {
    this.#closed = true;
    this.#subscribers.clear();
    return this.#stop();
  }

  async #connect(): Promise<void> {
    this.#retry = undefined;
    if (!this.#running) return;
    const client = new pg.Client(this.#config);
    this.#client = client;
    // Unheard, an 'error' (the backend terminated, the link dropped) would kill the process.
    client.on('error', (err) => this.#lost(client, err));
    client.on('end', () => this.#lost(client, new Error('the connection ended')));
    client.on('notification', (msg) => {
      if (this.#client === client && msg.channel === CHANGE_CHANNEL) this.#receive(msg.payload);
    });
    try {
      await client.connect();
      // Bounded like a heartbeat: the heartbeat starts only once the LISTEN is in, so a session that went silent
      // after it connected (connect() itself is bounded by connectionTimeoutMillis) would otherwise be waited on for
      // good, and nothing would be heard.
      await this.#answered(this.#setUp(client), 'no answer to the listener set-up');
    } catch (err) {
      this.#lost(client, err);
      return;
    }
    if (this.#client !== client) return;
    this.#failures = 0;
    this.#beat(client);
    // Whatever changed while no one listened (or before this listener started) was announced to nobody.
    this.#emit(EVERYTHING);
  }

  /** The session's set-up: its schema, no idle timeout, and the LISTEN. */
  async #setUp(client: pg.Client): Promise<void> {
    // The session only waits for notifications, so an idle_session_timeout of the role, the database or the URL
    // would end it over and over (each end loses announcements until the reconnect); lifted here, not in the
    // startup packet, because PostgreSQL before 14 refuses a connection that names a setting it does not have.
    const { rows } = await client.query<{ schema: string | null }>(
      "select current_schema() as schema, (select set_config(name, '0', false) from pg_settings " +
        "where name = 'idle_session_timeout') as idle",
    );
    this.#schema = rows[0]?.schema ?? undefined;
    // The last statement of the session, so pg_stat_activity shows a listener's query as its LISTEN.
    await client.query(`LISTEN ${CHANGE_CHANNEL}`);
  }

  /**
   * `work`, or a rejection saying `what` once the heartbeat timeout passed without its answer: the set-up's and each
   * heartbeat's bound.
   */
  async #answered(work: Promise<void>, what: string): Promise<void> {
    // Ended with its client after a timeout, the work rejects later: nobody waits for it then.
    work.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${what} within ${this.#heartbeatTimeoutMs} ms`)),
        this.#heartbeatTimeoutMs,
      );
      timer.unref();
    });
    try {
      await Promise.race([work, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Asks the session to answer every heartbeat period; no answer within the timeout is a lost connection. The
   * question is the LISTEN again (a no-op for a channel already listened to), so pg_stat_activity still shows it.
   */
  #beat(client: pg.Client): void {
    // Unref'd like the reconnect: the heartbeat keeps no process alive.
    this.#heartbeat = setTimeout(() => {
      if (this.#client !== client) return;
      const answer = client.query(`LISTEN ${CHANGE_CHANNEL}`).then(() => undefined);
      this.#answered(answer, 'no answer to a heartbeat').then(
        () => {
          if (this.#client === client) this.#beat(client);
        },
        (err: unknown) => this.#lost(client, err),
      );
    }, this.#heartbeatMs).unref();
  }

  #lost(client: pg.Client, err: unknown): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    clearTimeout(this.#heartbeat);
    client.end().catch(() => undefined);
    if (!this.#running) return;
    this.#onLost(err);
    const wait = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** this.#failures);
    this.#failures++;
    // Unref'd: a listener waiting to reconnect keeps no process alive (the server's socket does that).
    this.#retry = setTimeout(() => void this.#connect(), wait).unref();
  }

  async #stop(): Promise<void> {
    this.#running = false;
    this.#failures = 0;
    if (this.#retry !== undefined) clearTimeout(this.#retry);
    this.#retry = undefined;
    clearTimeout(this.#heartbeat);
    const client = this.#client;
    this.#client = undefined;
    if (client !== undefined) await client.end().catch(() => undefined);
  }

  /** An announcement: `{"schema": ..., "topic": ...}`; anything else (another program's, a bad one) is ignored. */
  #receive(payload: string | undefined): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload ?? '');
    } catch {
      return;
    }
    if (typeof parsed !== 'object' || parsed === null) return;
    const { schema, topic } = parsed as { schema?: unknown; topic?: unknown };
    if (typeof topic !== 'string' || topic === '' || schema !== this.#schema) return;
    this.#emit(topic);
  }

  #emit(topic: string): void {
    for (const fn of [...this.#subscribers]) {
      try {
        fn(topic);
      } catch {
        // A subscriber's failure is its own: the others still hear, and the connection stays up.
      }
    }
  }
}
