#!/usr/bin/env node
// The CLI runs from its TypeScript sources through tsx's loader, so there is no build step to forget.
import { register } from 'tsx/esm/api';

// `vouch … | head` closes stdout early; that is the reader's choice, not an error worth a stack trace.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv);
