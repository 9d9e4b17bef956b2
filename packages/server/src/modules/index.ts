import type { VouchModule } from '../module.ts';
import { healthModule } from './health/routes.ts';
import { adminModule } from './admin/routes.ts';

/** Every built-in module, in registration order. */
export const MODULES: readonly VouchModule[] = [healthModule, adminModule];
