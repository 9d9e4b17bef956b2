// The storage layer's public surface. Everything else under storage/ (lib/, migration internals) is private.
export { StorageError, toStorageError, translateErrors } from './errors.ts';
export type { StorageErrorCode } from './errors.ts';
export type { Database, MetaTable, ServerKeysTable, AuditLogTable, RateLimitsTable } from './schema.ts';
export { openStorage, PING_TIMEOUT_MS } from './open.ts';
export type { Engine, Storage, OpenStorageOptions } from './open.ts';
export { MIGRATIONS } from './migrations/index.ts';
export type { VouchMigration } from './migrations/index.ts';
export {
  loadKek,
  loadKekFile,
  checkKek,
  kekFilePath,
  preflightKek,
  readKek,
  readKekIfPresent,
  KEK_FILE_NAME,
} from './kek.ts';
export type { LoadedKek } from './kek.ts';
export { assertKeysDiffer, assertSealedUnderOld, assertVouchDatabase, rewrapKek } from './kek-rewrap.ts';
export type { KekRewrap } from './kek-rewrap.ts';
export { seal, open } from './secret-box.ts';
export {
  ensureServerKey,
  importServerKey,
  listServerKeys,
  listPublicServerKeys,
  rotateServerKey,
  lockActiveServerKey,
  dropRetiredServerKeys,
  listServerKeyStates,
} from './server-keys.ts';
export type { PublicServerKey, ServerKey, ServerKeyAlg, ServerKeyStatus, ServerKeyRotation } from './server-keys.ts';
export { recordAudit, listAudit, MAX_AUDIT_ACTION } from './audit.ts';
export type { AuditEntry, AuditInput } from './audit.ts';
export { hitRateLimit, pruneRateLimits, RATE_LIMIT_PRUNE_MARGIN_MS } from './rate-limit-store.ts';
export { deleteExpired, deleteExpiredFrom, EXPIRED_BATCH_ROWS } from './expired-rows.ts';
export type { ExpiringTable, DeleteExpiredOptions } from './expired-rows.ts';
export { preparedRead } from './prepared.ts';
export { codePointOrder } from './text-order.ts';
export { announceChange, CHANGE_CHANNEL, EVERYTHING, NO_CHANGES, serverKeysTopic } from './changes.ts';
export type { ChangeFeed } from './changes.ts';
export { LISTENER_APPLICATION_NAME } from './lib/pg-listener.ts';
export { PG_INTEGER_MAX, saturatedSumSql } from './lib/saturated-sum.ts';
