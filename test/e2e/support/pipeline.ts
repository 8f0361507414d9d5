/**
 * The end-to-end pipeline of the e2e tests: an `LdapDatastore` on a real directory, a
 * `ProvisioningEngine`, a `ScimClient`, and a SCIM service (`ScimTestServer` or scimmy), with the
 * readers the assertions need. Expectations are derived from the generated company, never typed in.
 */
import type { ScimClientOptions } from '../../../src/client/options';
import { ScimClient } from '../../../src/client/ScimClient';
import type { DatastoreAdapter } from '../../../src/datastore/types';
import { LDAPV3_USER_MAPPING } from '../../../src/engine/mapping/defaults';
import type { EngineOptions } from '../../../src/engine/options';
import { ProvisioningEngine } from '../../../src/engine/ProvisioningEngine';
import { MemoryStateStore } from '../../../src/engine/state/MemoryStateStore';
import type { ScimTestServer } from '../../../src/testing/ScimTestServer';
import type { CompanyUser } from '../../support/ldap/ldif';

/** The enterprise extension URN the LDAPv3 mapping writes to. */
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** A client with short retry delays (the tests' targets answer at once). */
export function clientFor(baseUrl: string, options: Partial<ScimClientOptions> = {}): ScimClient {
  return new ScimClient({
    baseUrl,
    retry: { limit: 2, baseDelay: 5, backoffLimit: 20 },
    timeout: 10_000,
    ...options,
  });
}

/**
 * An engine from `datastore` to `client` with the LDAPv3 default mapping, a fresh in-memory state
 * and no deletion threshold (tests of the threshold set their own), with `overrides`.
 */
export function engineFor(
  datastore: DatastoreAdapter,
  client: ScimClient,
  overrides: Partial<EngineOptions> = {},
): ProvisioningEngine {
  return new ProvisioningEngine({
    datastore,
    client,
    state: new MemoryStateStore(),
    mapping: { users: LDAPV3_USER_MAPPING },
    safety: { deletionThreshold: Number.POSITIVE_INFINITY },
    ...overrides,
  });
}

/** A SCIM resource as a target holds it. */
export type Resource = Record<string, unknown>;

/** Users of a ScimTestServer by userName. */
export function usersOf(server: ScimTestServer): Map<string, Resource> {
  return new Map(server.snapshot().users.map((user) => [String(user.userName), user]));
}

/** Groups of a ScimTestServer by displayName. */
export function groupsOf(server: ScimTestServer): Map<string, Resource> {
  return new Map(server.snapshot().groups.map((group) => [String(group.displayName), group]));
}

/** The member ids (`value`) of a group, sorted. */
export function memberIds(group: Resource | undefined): string[] {
  const members = group?.members;
  if (!Array.isArray(members)) return [];
  return members.map((member) => String((member as { value: unknown }).value)).sort();
}

/** Requests that change something (POST, PUT, PATCH, DELETE) in `byMethod` counters. */
export function writesIn(byMethod: Readonly<Record<string, number>>): number {
  return (byMethod.POST ?? 0) + (byMethod.PUT ?? 0) + (byMethod.PATCH ?? 0) + (byMethod.DELETE ?? 0);
}

/** The work email of a SCIM user. */
export function workEmail(user: Resource | undefined): string | undefined {
  const emails = user?.emails;
  if (!Array.isArray(emails)) return undefined;
  const work = emails.find((email) => (email as { type?: unknown }).type === 'work') as
    | { value?: unknown }
    | undefined;
  return typeof work?.value === 'string' ? work.value : undefined;
}

/** What the LDAPv3 default mapping makes of a generated user (the attributes the company fills). */
export function expectedUser(user: CompanyUser): Resource {
  return {
    userName: user.uid,
    displayName: user.displayName,
    name: { givenName: user.givenName, familyName: user.sn },
    title: user.title,
    emails: [{ type: 'work', value: user.mail }],
    [ENTERPRISE]: { employeeNumber: user.employeeNumber, department: user.departmentNumber },
  };
}
