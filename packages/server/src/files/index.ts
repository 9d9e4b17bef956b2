// @vouch/server/files: the file helpers the server and the CLI share (Node only, no server dependencies): reading a
// file up to a cap, and creating (once) or replacing a file whole, durably. Explicit export list: anything not named here is internal.
export { createFileWhole } from './create-whole.ts';
export type { CreateWholeOptions } from './create-whole.ts';
export { replaceFileWhole } from './replace-whole.ts';
export { clearCreateLeftovers, createTempName, releaseTempName } from './create-leftovers.ts';
export type { LeftoverWarn } from './create-leftovers.ts';
export { syncFile, syncFolder } from './sync.ts';
export type { SyncFileOptions } from './sync.ts';
export { FileReadError, readFileUpTo, readFileUpToWithStats, readRegularFile } from './read-up-to.ts';
export type { ReadUpToOptions } from './read-up-to.ts';
export { errnoCode } from './errno.ts';
