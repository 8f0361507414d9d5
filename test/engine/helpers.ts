/**
 * Shared set-up for the engine tests: an InMemoryDatastore, a ScimTestServer on loopback, a
 * ScimClient with short retry delays, and an engine wired to them.
 */
import { ScimClient } from '../../src/client/ScimClient';
import { InMemoryDatastore, type InMemoryUserInput } from '../../src/datastore/memory/InMemoryDatastore';
import type { EngineOptions } from '../../src/engine/options';
import { ProvisioningEngine } from '../../src/engine/ProvisioningEngine';
import { MemoryStateStore } from '../../src/engine/state/MemoryStateStore';
import type { StateStore } from '../../src/engine/state/StateStore';
import { ScimTestServer, type ScimTestServerOptions } from '../../src/testing/ScimTestServer';
import type { ScimTestServerStats } from '../../src/testing/stats';

/** The user mapping the tests use (an inetOrgPerson-like source). */
export const USER_MAPPING = {
  userName: 'uid',
  displayName: 'cn',
  'name.givenName': 'givenName',
  'name.familyName': 'sn',
  title: 'title',
  'emails[type eq "work"].value': 'mail',
  externalId: 'employeeNumber',
} as const;

/** A source user numbered `index`: uid `user<index>`, mail `user<index>@example.com`. */
export function person(index: number, overrides: Partial<InMemoryUserInput> = {}): InMemoryUserInput {
  return {
    id: `u${index}`,
    disabled: false,
    attributes: {
      uid: `user${index}`,
      cn: `User ${index}`,
      givenName: 'User',
      sn: `Number${index}`,
      title: 'Engineer',
      mail: `user${index}@example.com`,
      employeeNumber: `E${1000 + index}`,
    },
    ...overrides,
  };
}

/** Everything one test works with. */
export interface Harness {
  readonly server: ScimTestServer;
  readonly client: ScimClient;
  readonly datastore: InMemoryDatastore;
  readonly store: StateStore;
  /** An engine on the harness's datastore, client and store, with `overrides`. */
  engine(overrides?: Partial<EngineOptions>): ProvisioningEngine;
  /** Server counters since the last `mark()`. */
  since(): ScimTestServerStats;
  /** Resets the server counters. */
  mark(): void;
  /** Users the server holds, by userName. */
  usersByName(): Map<string, Record<string, unknown>>;
  /** Groups the server holds, by displayName. */
  groupsByName(): Map<string, Record<string, unknown>>;
  close(): Promise<void>;
}

/** Options of {@link harness}. */
export interface HarnessOptions {
  readonly server?: ScimTestServerOptions;
  readonly users?: readonly InMemoryUserInput[];
  readonly datastore?: InMemoryDatastore;
  readonly store?: StateStore;
  readonly token?: string;
}

/** Starts a server, a client and a datastore. Close it in `afterEach`. */
export async function harness(options: HarnessOptions = {}): Promise<Harness> {
  const server = await ScimTestServer.start(options.server);
  const client = new ScimClient({
    baseUrl: server.baseUrl,
    retry: { limit: 2, baseDelay: 5, backoffLimit: 20 },
    timeout: 5000,
    ...(options.token === undefined ? {} : { auth: { type: 'bearer' as const, token: options.token } }),
  });
  const datastore = options.datastore ?? new InMemoryDatastore({ users: options.users ?? [] });
  const store = options.store ?? new MemoryStateStore();
  return {
    server,
    client,
    datastore,
    store,
    engine: (overrides = {}) =>
      new ProvisioningEngine({
        datastore,
        client,
        state: store,
        mapping: { users: USER_MAPPING },
        safety: { deletionThreshold: Number.POSITIVE_INFINITY },
        ...overrides,
      }),
    since: () => server.stats(),
    mark: () => server.resetStats(),
    usersByName: () => new Map(server.snapshot().users.map((user) => [String(user.userName), user])),
    groupsByName: () => new Map(server.snapshot().groups.map((group) => [String(group.displayName), group])),
    close: async () => {
      client.close();
      await server.close();
    },
  };
}

/** The number of requests with `method` (all routes) in `stats`. */
export function count(stats: ScimTestServerStats, method: string): number {
  return stats.byMethod[method] ?? 0;
}

/** Requests that change something (POST, PUT, PATCH, DELETE). */
export function writes(stats: ScimTestServerStats): number {
  return count(stats, 'POST') + count(stats, 'PUT') + count(stats, 'PATCH') + count(stats, 'DELETE');
}

/** The member ids of a server group. */
export function memberIds(group: Record<string, unknown> | undefined): string[] {
  const members = group?.members;
  if (!Array.isArray(members)) return [];
  return members.map((member) => String((member as { value: unknown }).value)).sort();
}
