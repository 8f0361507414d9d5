/**
 * A provisioning state built directly, as a first sync would have left it, for sizes where
 * provisioning everything over HTTP first would take longer than the measurement (1,000,000
 * users): each user and group mapped and hashed with the engine's own compiled mappings, target
 * ids invented, the datastore's watermark stored under the engine's option fingerprint.
 *
 * A cycle over such a state reads nothing from the target as long as nothing changed; the
 * benchmarks check that (any request reaches the bench server and is counted). The smoke test
 * checks the seeded state against the one a real first sync writes.
 */
import { randomUUID } from 'node:crypto';
import type { InMemoryDatastore } from '../../src/datastore/memory/InMemoryDatastore';
import { mapGroup, mapUser } from '../../src/engine/mapping/map';
import { resolveEngineOptions } from '../../src/engine/options';
import { MemoryStateStore } from '../../src/engine/state/MemoryStateStore';
import { createProvisioningState, type ProvisioningState } from '../../src/engine/state/types';
import type { ProvisioningTarget } from '../../src/engine/target';
import { storedWatermark } from '../../src/engine/watermark';
import { benchEngineOptions } from './rig';

/**
 * The state an engine with {@link benchEngineOptions} would hold after provisioning every user and
 * group of `datastore` to `client`'s target (every user active; ids invented unless `targetIds`
 * gives them).
 *
 * @example
 * ```ts
 * const state = await seedProvisionedState(datastore, client);
 * const engine = benchEngine(datastore, client, new MemoryStateStore(state), 8);
 * ```
 */
export async function seedProvisionedState(
  datastore: InMemoryDatastore,
  client: ProvisioningTarget,
  targetIds: (kind: 'user' | 'group', sourceId: string) => string = () => randomUUID(),
): Promise<ProvisioningState> {
  const resolved = resolveEngineOptions(benchEngineOptions(datastore, client, new MemoryStateStore(), 8));
  const state = createProvisioningState({ id: resolved.targetId });
  const now = Date.now();
  const delta = await datastore.changes(undefined, {
    attributes: [
      ...resolved.mapping.compiledUsers.sourceAttributes,
      ...resolved.mapping.compiledGroups.sourceAttributes,
    ],
  });
  for await (const user of delta.users) {
    const mapped = mapUser(resolved.mapping.compiledUsers, user);
    state.users.set(user.id, {
      targetId: targetIds('user', user.id),
      userName: String(mapped.resource.userName),
      hash: mapped.hash,
      status: user.disabled ? 'disabled' : 'active',
      createdAt: now,
      updatedAt: now,
    });
  }
  for await (const group of delta.groups) {
    const mapped = mapGroup(resolved.mapping.compiledGroups, group);
    const members: string[] = [];
    for (const id of group.memberIds) {
      const member = state.users.get(id)?.targetId;
      if (member !== undefined) members.push(member);
    }
    state.groups.set(group.id, {
      targetId: targetIds('group', group.id),
      displayName: String(mapped.resource.displayName),
      hash: mapped.hash,
      members,
      createdAt: now,
      updatedAt: now,
    });
  }
  state.watermark = storedWatermark(await delta.nextWatermark(), resolved.fingerprint, now);
  return state;
}
