// The integrators module: integrators (admin-created, API keys stored hashed), their metric sets published as
// environment versions, agents' signed consents and the public disclosure. It provides the `integrator` caller.
// Other modules use ./service.ts, never these tables.
import type { VouchModule } from '../../module.ts';
import { integratorAuthenticator } from './auth.ts';
import { registerIntegratorRoutes } from './routes.ts';

export const integratorsModule: VouchModule = {
  name: 'integrators',
  authenticators: (ctx) => ({ integrator: integratorAuthenticator(ctx) }),
  routes: registerIntegratorRoutes,
};
