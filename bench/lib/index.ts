// Reusable benchmark harness: every bench/*.bench.ts imports from here.
export { measure, median, medianBy } from './measure.ts';
export type { MeasureOptions, Measurement, Operation } from './measure.ts';
export { formatTable, formatNumber, formatRatio } from './table.ts';
export type { Column, Align } from './table.ts';
export { defineSuite, runSuite, formatResults, resultRows, environmentLine, machine } from './suite.ts';
export type { BenchCase, BenchSuite, CaseResult, SuiteReport } from './suite.ts';
export { reportNote, markdownReport } from './report.ts';
export { cpuMs, mainThreadCpuMs, pinned, spawnAnnouncing, rssMiB, stopChildren } from './processes.ts';
export { PG_URL, dropSchema, freshSchema } from './postgres.ts';
export { httpRows, loadMeasurement } from './http-rows.ts';
export type { HttpRows, HttpRowsOptions } from './http-rows.ts';
