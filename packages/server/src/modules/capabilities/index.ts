export { capabilitiesModule, MAX_BATCH } from './routes.ts';
export {
  issueCapability,
  interceptCapability,
  interceptBatch,
  revokeCapability,
  delegateCapability,
  currentRegistry,
} from './service.ts';
export type { IssueCapabilityInput } from './service.ts';
export { capabilityKeyDropsAt, gatewayKeysOf, GatewayKeys } from './keys.ts';
