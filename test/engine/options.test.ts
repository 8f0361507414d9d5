import { describe, expect, it } from 'vitest';
import { ScimClient } from '../../src/client/ScimClient';
import { InMemoryDatastore } from '../../src/datastore/memory/InMemoryDatastore';
import { isEngineOptionsError } from '../../src/engine/errors/EngineOptionsError';
import { isMappingError } from '../../src/engine/mapping/MappingError';
import { type EngineOptions, removalLimit, resolveEngineOptions } from '../../src/engine/options';
import { FileStateStore } from '../../src/engine/state/FileStateStore';
import { MemoryStateStore } from '../../src/engine/state/MemoryStateStore';
import { targetFingerprint } from '../../src/engine/state/target';
import { USER_MAPPING } from './helpers';

const client = new ScimClient({ baseUrl: 'http://127.0.0.1:9/scim/v2' });
const base = (): EngineOptions => ({
  datastore: new InMemoryDatastore(),
  client,
  state: new MemoryStateStore(),
  mapping: { users: { ...USER_MAPPING } },
});

/** The option an EngineOptionsError names, or a description of what was thrown instead. */
function optionAtFault(options: unknown): string {
  try {
    resolveEngineOptions(options as EngineOptions);
    return 'no error';
  } catch (error) {
    return isEngineOptionsError(error) ? error.option : `other: ${String(error)}`;
  }
}

describe('resolveEngineOptions', () => {
  it('applies the documented defaults', () => {
    const resolved = resolveEngineOptions(base());
    expect(resolved.users).toEqual({
      create: true,
      update: true,
      disable: true,
      delete: true,
      removeAction: 'disable',
      provisionDisabled: false,
    });
    expect(resolved.groups).toEqual({ create: true, update: true, delete: true, membership: 'overwrite' });
    expect(resolved.match.users).toEqual({ kind: 'userName' });
    expect(resolved.match.groups).toBe('displayName');
    expect(resolved.safety.deletionThreshold).toBe('default');
    expect(resolved.concurrency).toBe(8);
    expect(resolved.dryRun).toBe(false);
    expect(resolved.pageSize).toBe(100);
    expect(resolved.clear).toBe('null');
    expect(resolved.targetId).toBe(targetFingerprint('http://127.0.0.1:9/scim/v2'));
    expect(resolved.mapping.groups).toEqual({ displayName: 'cn' });
  });

  it('defaults the state store to a FileStateStore in the working directory', () => {
    const { state: _state, ...rest } = base();
    const resolved = resolveEngineOptions(rest);
    expect(resolved.state).toBeInstanceOf(FileStateStore);
    expect((resolved.state as FileStateStore).path).toBe(`${process.cwd()}/aquera-provisioner.state.json`);
  });

  it.each([
    [{ users: { removeAction: 'remove' } }, 'users.removeAction'],
    [{ users: { create: 'yes' } }, 'users.create'],
    [{ users: { provisionDisabled: 1 } }, 'users.provisionDisabled'],
    [{ users: { removeaction: 'delete' } }, 'users.removeaction'],
    [{ groups: { membership: 'merge' } }, 'groups.membership'],
    [{ groups: { delete: null } }, 'groups.delete'],
    [{ match: { users: 'mail' } }, 'match.users'],
    [{ match: { users: 'externalId eq {employeeNumber}' } }, 'match.users'],
    [{ match: { users: 'externalId eq "{employeeNumber}" and (' } }, 'match.users'],
    [{ match: { groups: 'externalId' } }, 'match.groups'],
    [{ safety: { deletionThreshold: -1 } }, 'safety.deletionThreshold'],
    [{ safety: { deletionThreshold: 2.5 } }, 'safety.deletionThreshold'],
    [{ safety: { deletionThreshold: '120%' } }, 'safety.deletionThreshold'],
    [{ safety: { deletionThreshold: 'ten' } }, 'safety.deletionThreshold'],
    [{ concurrency: 0 }, 'concurrency'],
    [{ concurrency: 1.5 }, 'concurrency'],
    [{ pageSize: 0 }, 'pageSize'],
    [{ dryRun: 'no' }, 'dryRun'],
    [{ clear: 'empty' }, 'clear'],
    [{ targetId: '' }, 'targetId'],
    [{ datastore: {} }, 'datastore'],
    [{ client: { users: {} } }, 'client'],
    [{ state: {} }, 'state'],
    [{ mapping: undefined }, 'mapping'],
    [{ mapping: { users: 'uid' } }, 'mapping.users'],
    [{ retries: 3 }, 'retries'],
  ])('refuses %j naming %s', (override, option) => {
    expect(optionAtFault({ ...base(), ...override })).toBe(option);
  });

  it('asks for a targetId when the client has no baseUrl', () => {
    const { users, groups } = client;
    expect(optionAtFault({ ...base(), client: { users, groups } })).toBe('targetId');
    expect(optionAtFault({ ...base(), client: { users, groups }, targetId: 'crm' })).toBe('no error');
  });

  it('checks the mappings when the engine is built', () => {
    let thrown: unknown;
    try {
      resolveEngineOptions({ ...base(), mapping: { users: { displayName: 'cn' } } });
    } catch (error) {
      thrown = error;
    }
    expect(isMappingError(thrown) && thrown.code).toBe('missingRequired');
  });

  it('never modifies or keeps the caller objects', () => {
    const options = {
      ...base(),
      users: { removeAction: 'delete' as const },
      safety: { deletionThreshold: '5%' as const },
    };
    const mapping = options.mapping.users;
    const frozen = JSON.stringify({ users: options.users, safety: options.safety, mapping });
    const resolved = resolveEngineOptions(options);
    expect(JSON.stringify({ users: options.users, safety: options.safety, mapping })).toBe(frozen);
    expect(resolved.mapping.users).not.toBe(mapping);
    expect(resolved.users).not.toBe(options.users);
  });

  it('parses filter templates, indexing single comparisons', () => {
    const simple = resolveEngineOptions({ ...base(), match: { users: 'externalId eq "{employeeNumber}"' } });
    expect(simple.match.users).toMatchObject({ kind: 'template', placeholders: ['employeeNumber'] });
    expect(simple.match.users.kind === 'template' && simple.match.users.indexPath?.attr).toBe('externalId');
    const compound = resolveEngineOptions({
      ...base(),
      match: { users: 'externalId eq "{employeeNumber}" and userName eq "{uid}"' },
    });
    expect(compound.match.users.kind === 'template' && compound.match.users.indexPath).toBeUndefined();
  });
});

describe('removalLimit', () => {
  it('is min(500, 20 % rounded up) by default', () => {
    expect(removalLimit('default', 0)).toBe(0);
    expect(removalLimit('default', 3)).toBe(1);
    expect(removalLimit('default', 40)).toBe(8);
    expect(removalLimit('default', 2500)).toBe(500);
    expect(removalLimit('default', 100_000)).toBe(500);
  });

  it('takes a count as given and a percentage of the provisioned users', () => {
    expect(removalLimit({ count: 7 }, 1000)).toBe(7);
    expect(removalLimit({ percent: 10 }, 250)).toBe(25);
    expect(removalLimit({ percent: 10 }, 5)).toBe(1);
  });
});
