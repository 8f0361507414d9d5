/**
 * A target that already holds provisioned users and a group, behind a hostile target, with the
 * datastore and the state that provisioned them: the starting point of every hostile-response
 * case. Also the checks every case ends with: who is in the target, exactly once and active.
 */
import { ScimClient } from '../../../../src/client/ScimClient';
import { InMemoryDatastore } from '../../../../src/datastore/memory/InMemoryDatastore';
import { ProvisioningEngine } from '../../../../src/engine/ProvisioningEngine';
import { MemoryStateStore } from '../../../../src/engine/state/MemoryStateStore';
import { person, USER_MAPPING } from '../../../engine/helpers';
import { type HostileTarget, startHostileTarget } from './hostile-target';

/** The users provisioned before a case starts (source ids `u1`..`u4`, userNames `user1`..`user4`). */
export const PROVISIONED_USERS = 4;

/** Everything a case works with. */
export interface Provisioned {
  readonly target: HostileTarget;
  readonly datastore: InMemoryDatastore;
  readonly store: MemoryStateStore;
  /** Target ids by userName, as provisioned. */
  readonly userIds: ReadonlyMap<string, string>;
  /** The target id of the group `Staff` (members user1, user2). */
  readonly groupId: string;
  /** A client on the hostile target with quick retries; closed by `close()`. */
  client(overrides?: Partial<ConstructorParameters<typeof ScimClient>[0]>): ScimClient;
  /** An engine on a new client, the datastore and the state; removals would be deletes, no threshold. */
  engine(clientOverrides?: Partial<ConstructorParameters<typeof ScimClient>[0]>): ProvisioningEngine;
  close(): Promise<void>;
}

/** Provisions user1..user4 and the group Staff through the (not yet hostile) target. */
export async function provisioned(): Promise<Provisioned> {
  const target = await startHostileTarget();
  const datastore = new InMemoryDatastore({
    users: Array.from({ length: PROVISIONED_USERS }, (_, index) => person(index + 1)),
    groups: [{ id: 'g1', name: 'Staff', memberIds: ['u1', 'u2'] }],
  });
  const store = new MemoryStateStore();
  const clients: ScimClient[] = [];
  const client = (overrides: Partial<ConstructorParameters<typeof ScimClient>[0]> = {}) => {
    const created = new ScimClient({
      baseUrl: target.baseUrl,
      retry: { limit: 1, baseDelay: 1, backoffLimit: 5 },
      timeout: 5000,
      ...overrides,
    });
    clients.push(created);
    return created;
  };
  const engine = (clientOverrides: Partial<ConstructorParameters<typeof ScimClient>[0]> = {}) =>
    new ProvisioningEngine({
      datastore,
      client: client(clientOverrides),
      state: store,
      mapping: { users: USER_MAPPING },
      users: { removeAction: 'delete' },
      safety: { deletionThreshold: Number.POSITIVE_INFINITY },
    });
  const report = await engine().sync();
  if (report.failures.length > 0) throw new Error('the set-up cycle failed');
  const snapshot = target.upstream.snapshot();
  const userIds = new Map(snapshot.users.map((user) => [String(user.userName), String(user.id)]));
  const groupId = String(snapshot.groups.find((group) => group.displayName === 'Staff')?.id);
  target.requests.length = 0;
  return {
    target,
    datastore,
    store,
    userIds,
    groupId,
    client,
    engine,
    async close() {
      for (const each of clients) each.close();
      await target.close();
    },
  };
}

/** What the target holds compared with what it should: accounts lost, duplicated, inactive. */
export interface TargetAudit {
  /** Expected userNames the target does not hold. */
  readonly lost: string[];
  /** userNames held more than once (compared case-insensitively, as RFC 7643 says). */
  readonly duplicated: string[];
  /** Expected userNames held but inactive. */
  readonly inactive: string[];
  /** userNames held that nobody expects. */
  readonly unexpected: string[];
}

/** Audits the real server behind `target` against the expected userNames. */
export function auditTarget(target: HostileTarget, expected: readonly string[]): TargetAudit {
  const users = target.upstream.snapshot().users;
  const byName = new Map<string, Record<string, unknown>[]>();
  for (const user of users) {
    const key = String(user.userName).toLowerCase();
    byName.set(key, [...(byName.get(key) ?? []), user]);
  }
  const wanted = new Set(expected.map((name) => name.toLowerCase()));
  return {
    lost: expected.filter((name) => !byName.has(name.toLowerCase())),
    duplicated: [...byName].filter(([, held]) => held.length > 1).map(([name]) => name),
    inactive: expected.filter((name) =>
      byName.get(name.toLowerCase())?.some((user) => user.active === false),
    ),
    unexpected: [...byName.keys()].filter((name) => !wanted.has(name)),
  };
}
