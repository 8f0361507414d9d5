/**
 * `aquera-provisioner/testing`: tools for testing a provisioning integration without a real
 * SCIM service. {@link ScimTestServer} is an in-memory SCIM 2.0 service provider with switchable
 * quirks and seeded faults.
 *
 * @packageDocumentation
 */
export type { ScimTestServerAuth } from './auth';
export type { ScimTestServerSchemaExtension } from './discovery';
export type {
  FaultKind,
  FaultRule,
  RetryAfterFaultRule,
  ScimTestServerFaults,
  ScimTestServerMethod,
  SlowFaultRule,
} from './faults';
export { createSeededRandom } from './faults';
export type { ResolvedQuirks, ScimTestServerQuirks } from './quirks';
export type { ScimTestServerRateLimit } from './rate-limiter';
export type { ScimTestServerOptions, ScimTestServerSnapshot } from './ScimTestServer';
export { REDACTED_PASSWORD, ScimTestServer } from './ScimTestServer';
export type { ScimTestServerStats } from './stats';
