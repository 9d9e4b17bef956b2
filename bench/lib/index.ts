// Reusable benchmark harness: later benches (database, HTTP) import from here.
export { measure } from './measure.ts';
export type { MeasureOptions, Measurement, Operation } from './measure.ts';
export { formatTable, formatNumber, formatRatio } from './table.ts';
export type { Column, Align } from './table.ts';
export { defineSuite, runSuite, formatResults, environmentLine } from './suite.ts';
export type { BenchCase, BenchSuite, CaseResult } from './suite.ts';
