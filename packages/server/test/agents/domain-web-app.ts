// An app whose agents-module domain routes (its own port, the stored agents) are also served under /t with web checks
// that reach the loopback test sites: the built-in routes would need a CA the process trusts. /v1 stays the built-in
// module, for the DNS method.
import type { VouchModule } from '../../src/module.ts';
import { createAgentDomainPort } from '../../src/modules/agents/domain-port.ts';
import { registerDomainRoutes } from '../../src/modules/agents/domain/index.ts';
import type { Storage } from '../../src/storage/index.ts';
import { makeApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import type { DomainSites } from '../net/fixtures/domain-sites.ts';
import { TEST_ENV } from './helpers.ts';

export async function domainWebApp(storage: Storage, sites: DomainSites, site: string): Promise<TestApp> {
  const web: VouchModule = {
    name: 'domain-web',
    async routes(app, ctx) {
      await app.register(
        async (child) =>
          registerDomainRoutes(child, ctx, createAgentDomainPort(ctx), {
            connect: sites.https.connector(sites.pki.caPem),
          }),
        { prefix: '/t' },
      );
    },
  };
  return makeApp(storage, {
    env: { ...TEST_ENV, VOUCH_DNS_SERVERS: sites.dns.address, VOUCH_DOMAIN_VERIFY_PUBLIC_TEST_ADDRESSES: site },
    modules: [web],
  });
}
