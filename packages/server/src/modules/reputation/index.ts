// The reputation module: event ingestion, scores maintained incrementally from events and report penalties,
// the resolve route and the rebuild. Other modules use ./service.ts, never these tables.
import type { VouchModule } from '../../module.ts';
import { registerReputationRoutes } from './routes.ts';

export const reputationModule: VouchModule = {
  name: 'reputation',
  routes: registerReputationRoutes,
};
