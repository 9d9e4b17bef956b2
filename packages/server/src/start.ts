import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { DestinationStream, Logger } from 'pino';
import { ConfigError, storageOptionsOf } from './config.ts';
import type { Config } from './config.ts';
import type { Clock } from './clock.ts';
import { systemClock } from './clock.ts';
import { createLogger } from './logger.ts';
import { connectionLossLog } from './connection-loss-log.ts';
import { ADMIN_KEY_FILE_NAME, resolveAdminKey } from './admin-key.ts';
import { clearCreateLeftovers } from './files/index.ts';
import { buildApp } from './app.ts';
import { checkKek, ensureServerKey, kekFilePath, loadKekFile, openStorage, preflightKek } from './storage/index.ts';
import { checkKeyFileModes } from './key-file-modes.ts';
import { reportRestoreLeftovers } from './restore-leftovers.ts';
import { SQLITE_FILE } from './storage/lib/sqlite.ts';
import type { Storage } from './storage/index.ts';
import { rateLimitStoreFor } from './http/rate-limit.ts';
import { ensureRegistryRootKey, readRegistryRootKeyFile, REGISTRY_ROOT_PURPOSE } from './modules/registry/root-key.ts';
import { createAgentDomainPort } from './modules/agents/domain-port.ts';
import { createDomainChecker, recheckDomains } from './modules/agents/domain/index.ts';
import { didOf } from './modules/agents/ids.ts';

/** Purposes of the server's own key pairs, created on first start and kept in the database. */
export const SERVER_KEY_PURPOSES = [
  { purpose: 'tokens', alg: 'ES256' },
  // Signs agents' tool manifests; published at /.well-known/vouch-keys.json.
  { purpose: 'tool-manifest', alg: 'EdDSA' },
  // The trust registry's root key (authority mode only; imported from VOUCH_REGISTRY_ROOT_KEY_FILE when set).
  { purpose: REGISTRY_ROOT_PURPOSE, alg: 'EdDSA' },
  // Signs capability tokens (issue 7); published at /.well-known/vouch-keys.json with purpose "capability".
  { purpose: 'capability', alg: 'EdDSA' },
] as const;

export interface RunningServer {
  app: FastifyInstance;
  storage: Storage;
  /** The address actually bound (useful with port 0). */
  address: string;
  /**
   * Stops accepting connections, drains in-flight requests (cutting the connections of those still unfinished after
   * the shutdown grace period), then closes the database.
   */
  close(): Promise<void>;
}

/**
 * Longest a shutdown waits for in-flight requests before cutting their connections: under the 30 s most
 * orchestrators allow between SIGTERM and SIGKILL, so the rate-limit flush and the database close still run.
 */
export const SHUTDOWN_GRACE_MAX_MS = 25_000;

/** How long close() waits for in-flight requests before cutting their connections. */
function shutdownGraceOf(config: Config): number {
  return Math.min(config.requestTimeoutMs, SHUTDOWN_GRACE_MAX_MS);
}

/** After the grace period, how long the rate-limit flush and the database close may take before the process exits. */
const SHUTDOWN_CLOSE_MS = 4_000;

export interface StartOptions {
  clock?: Clock;
  logStream?: DestinationStream;
  /** How long close() waits for in-flight requests; default min(VOUCH_REQUEST_TIMEOUT_MS, SHUTDOWN_GRACE_MAX_MS). */
  shutdownGraceMs?: number;
}

/**
 * Starts a server: opens storage (running migrations), loads the key-encryption key, resolves the admin key,
 * makes sure the server's key pairs exist, then listens.
 *
 * @example
 * const server = await startServer(loadConfig());
 * await server.close();
 */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const clock = options.clock ?? systemClock;
  const graceMs = options.shutdownGraceMs ?? shutdownGraceOf(config);
  const logger = createLogger(config.logLevel, options.logStream);
  // Names only: a value may be a secret (VOUCH_ADMIN_KYE). First, so a start that then fails still shows it.
  if (config.unknownVariables.length > 0) {
    logger.warn(
      { variables: config.unknownVariables },
      'ignoring unknown VOUCH_* environment variables (misspelt? the README lists every setting)',
    );
  }
  // Names only, as above: a pinned root key or schema left without the URL that would use it is a mistake to see.
  if (config.unusedVariables.length > 0) {
    logger.warn(
      { variables: config.unusedVariables },
      'settings not read in this mode (PostgreSQL ones without VOUCH_DATABASE_URL, registry consumer ones without ' +
        'VOUCH_TRUST_REGISTRY_URL, registry authority ones with it, a SINT_ alias beside its VOUCH_ name): ignored',
    );
  }
  // Only SQLite keeps anything there (the database, admin.key, kek.key).
  if (config.databaseUrl === undefined) {
    await ensureDataDir(config.dataDir);
    const warn = (file: string, message: string) => logger.warn({ file }, message);
    await reportRestoreLeftovers(join(config.dataDir, SQLITE_FILE), warn);
    // A start killed while it created admin.key or the KEK file left that key in `<file>.<hex>.tmp` beside it.
    const kekFile = kekFilePath({ kekFile: config.kekFile, dataDir: config.dataDir, engine: 'sqlite' });
    for (const file of [join(config.dataDir, ADMIN_KEY_FILE_NAME), kekFile]) await clearCreateLeftovers(file, warn);
  }
  const admin = await resolveAdminKey(config);
  // Before the database: a bad key file stops the start before any migration runs.
  const rootKeyFile = await readRegistryRootKeyFile(config);
  // So is a KEK setting that can never work (PostgreSQL without VOUCH_KEK_FILE or its file, a malformed file): it
  // used to be found only after the migrations had created or upgraded the schema it then refused to serve.
  const engine = config.databaseUrl === undefined ? 'sqlite' : 'postgres';
  await preflightKek({ kekFile: config.kekFile, dataDir: config.dataDir, engine });
  // Warned about, or refused when anyone may replace one; before the database too. A KEK file created later is 0600.
  await checkKeyFileModes(
    [
      {
        file: kekFilePath({ kekFile: config.kekFile, dataDir: config.dataDir, engine }),
        setting: config.kekFile === undefined || config.kekFile === '' ? 'VOUCH_DATA_DIR' : 'VOUCH_KEK_FILE',
        // On SQLite a fresh database's KEK file is created there (0600): its folders count before it exists.
        createdIfMissing: engine === 'sqlite',
      },
      ...(admin.file === undefined ? [] : [{ file: admin.file, setting: 'VOUCH_DATA_DIR' }]),
      ...(rootKeyFile === undefined || config.registry.rootKeyFile === undefined
        ? []
        : [{ file: config.registry.rootKeyFile, setting: 'VOUCH_REGISTRY_ROOT_KEY_FILE' }]),
    ],
    logger,
  );
  const storage = await openStorage({
    ...storageOptionsOf(config),
    onConnectionLost: connectionLossLog(logger, clock),
  });
  // Once built, the app runs its modules' housekeeping timers: a start that fails after that (at listen) closes it.
  let built: FastifyInstance | undefined;
  try {
    const loaded = await loadKekFile({
      kekFile: config.kekFile,
      dataDir: config.dataDir,
      engine: storage.engine,
      storage,
    });
    const kek = loaded.key;
    await checkKek(storage, kek, clock.now());
    // Where, never what: the file must be backed up apart from the database.
    if (loaded.created) logger.info({ file: loaded.file }, 'created the key-encryption key file for this new database');
    for (const k of SERVER_KEY_PURPOSES) {
      if (k.purpose === REGISTRY_ROOT_PURPOSE)
        await ensureRegistryRootKey(config, storage, kek, clock.now(), rootKeyFile);
      else await ensureServerKey(storage, kek, k.purpose, k.alg, clock.now());
    }

    const rateLimitStore = rateLimitStoreFor(storage, config);
    const { app, ctx } = await buildApp({
      config,
      storage,
      kek,
      adminKeys: admin.digests,
      clock,
      logger,
      rateLimitStore,
    });
    built = app;
    const address = await app.listen({ host: config.host, port: config.port });
    logger.info(
      {
        address,
        publicUrl: config.publicUrl,
        engine: storage.engine,
        ...(storage.engine === 'sqlite' ? { dataDir: config.dataDir } : {}),
      },
      'vouch server listening',
    );
    if (admin.generated) logger.info({ file: admin.file }, 'generated an admin key; read it from this file');
    else if (admin.file) logger.info({ file: admin.file }, 'admin key loaded from file');
    // At every start while set: a previous key left in place after a roll keeps a retired secret working.
    if (admin.digests.previous !== undefined) {
      logger.warn(
        'VOUCH_ADMIN_KEY_PREVIOUS is set: the previous admin key is accepted beside the current one (audited as ' +
          'admin:previous); once every client sends the new key, unset it and restart every instance',
      );
    }

    const pruner = setInterval(() => {
      rateLimitStore.prune(clock.now()).catch((err: unknown) => logger.warn({ err }, 'rate-limit prune failed'));
    }, 60_000);
    pruner.unref();

    // Domain proofs are re-checked by every instance: each pass claims the proofs it checks, so no two instances
    // check one at once. The checker is the routes' (same DNS servers, same SSRF-guarded fetches).
    const domainPort = createAgentDomainPort(ctx);
    const domainChecker = createDomainChecker(config);
    const stopRechecks = new AbortController();
    // Messages only: a check's error never carries the token, and this keeps request details out of the log.
    const recheckFailed = (err: unknown) =>
      logger.warn({ err: { message: (err as Error).message } }, 'domain re-check failed');
    let recheckPass: Promise<void> | undefined;
    const rechecker =
      config.domainRecheckIntervalMs === 0
        ? undefined
        : setInterval(() => {
            recheckPass ??= recheckDomains(ctx, domainPort, domainChecker, {
              signal: stopRechecks.signal,
              onUnexpected: recheckFailed,
            })
              .then((summary) => {
                for (const l of summary.lapsed) {
                  logger.info({ did: didOf(l.agentId), domain: l.domain }, 'domain proof lapsed');
                }
              }, recheckFailed)
              .finally(() => {
                recheckPass = undefined;
              });
          }, 60_000);
    rechecker?.unref();

    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        clearInterval(pruner);
        clearInterval(rechecker);
        stopRechecks.abort();
        // Once server.close() runs, Node stops enforcing requestTimeout: a client that never finishes its request
        // would hold the process (and the rate-limit flush and storage close after it) until SIGKILL.
        const cut = setTimeout(() => cutConnections(app, logger, graceMs), graceMs);
        try {
          await app.close();
        } finally {
          clearTimeout(cut);
        }
        // A pass in progress finishes its current checks (a few seconds at most) before the database closes.
        await recheckPass;
        await storage.close();
      })());
    return { app, storage, address, close };
  } catch (err) {
    await built?.close().catch(() => undefined);
    await storage.close();
    throw err;
  }
}

/** Creates the SQLite data folder (0700); one that cannot be a folder stops the start naming the setting. */
async function ensureDataDir(dataDir: string): Promise<void> {
  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ConfigError(`VOUCH_DATA_DIR: cannot use ${dataDir} as the data folder (${code}).`);
  }
}

/** Closes every connection still open after the grace period; idle keep-alive ones were closed at once. */
function cutConnections(app: FastifyInstance, logger: Logger, graceMs: number): void {
  app.server.getConnections((_err, connections) => {
    app.server.closeAllConnections();
    logger.warn({ connections, graceMs }, 'closed the connections still open after the shutdown grace period');
  });
}

/**
 * Starts the server and stops it gracefully on SIGTERM or SIGINT: in-flight requests finish (those still unfinished
 * after the shutdown grace period are cut), the database closes, and the process exits 0.
 */
export async function runServer(config: Config): Promise<RunningServer> {
  const server = await startServer(config);
  const stop = (signal: NodeJS.Signals) => {
    server.app.log.info({ signal }, 'shutting down');
    // The last resort: a flush or a pool end stuck on a connection that died silently (no reset ever arrives)
    // would hold the process until SIGKILL. Exit non-zero, said in the log, before an orchestrator's usual 30 s.
    const deadlineMs = shutdownGraceOf(config) + SHUTDOWN_CLOSE_MS;
    setTimeout(() => {
      server.app.log.error({ deadlineMs }, 'shutdown did not finish in time; exiting');
      process.exit(1);
    }, deadlineMs).unref();
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        server.app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return server;
}
