import type { VouchModule } from '../module.ts';
import { healthModule } from './health/routes.ts';
import { adminModule } from './admin/routes.ts';
import { agentsModule } from './agents/index.ts';
import { keysModule } from './keys/routes.ts';
import { tokensModule } from './tokens/routes.ts';
import { registryModule } from './registry/routes.ts';
import { capabilitiesModule } from './capabilities/index.ts';
import { signaturesModule } from './signatures/routes.ts';
import { integratorsModule } from './integrators/index.ts';
import { reputationModule } from './reputation/index.ts';
import { consoleModule } from './console/index.ts';

/** Every built-in module, in registration order. */
export const MODULES: readonly VouchModule[] = [
  healthModule,
  adminModule,
  keysModule,
  agentsModule,
  tokensModule,
  registryModule,
  capabilitiesModule,
  signaturesModule,
  integratorsModule,
  reputationModule,
  consoleModule,
];
