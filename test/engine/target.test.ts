import { describe, expect, expectTypeOf, it } from 'vitest';
import type { AqueraClient } from '../../src/client/AqueraClient';
import { ScimClient } from '../../src/client/ScimClient';
import type { ProvisioningTarget } from '../../src/engine/target';

describe('ProvisioningTarget', () => {
  it('is satisfied by ScimClient and AqueraClient as they are', () => {
    // Compile-time: an assignment that fails to type-check fails `tsc --noEmit`.
    const client = new ScimClient({ baseUrl: 'http://127.0.0.1:9/scim/v2' });
    const target: ProvisioningTarget = client;
    expectTypeOf<ScimClient>().toMatchTypeOf<ProvisioningTarget>();
    expectTypeOf<AqueraClient>().toMatchTypeOf<ProvisioningTarget>();
    // Run time: every method the engine calls is there.
    for (const name of ['create', 'get', 'replace', 'delete', 'findByUserName', 'list'] as const) {
      expect(typeof target.users[name]).toBe('function');
    }
    for (const name of [
      'create',
      'get',
      'replace',
      'patch',
      'delete',
      'findByDisplayName',
      'list',
      'addMembers',
      'removeMembers',
      'setMembers',
    ] as const) {
      expect(typeof target.groups[name]).toBe('function');
    }
    expect(typeof target.discover).toBe('function');
    expect(target.baseUrl).toBe('http://127.0.0.1:9/scim/v2');
    client.close();
  });
});
