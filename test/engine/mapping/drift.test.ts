import { describe, expect, it } from 'vitest';
import { compileMapping } from '../../../src/engine/mapping/compile';
import { driftedAttributes } from '../../../src/engine/mapping/drift';
import { mapUser } from '../../../src/engine/mapping/map';
import { CORE_SCHEMAS } from '../../../src/scim/models/core-schemas';
import { SCHEMAS } from '../../../src/scim/schemas';
import { ACME, ACME_SCHEMA, openLdapUser } from './fixtures';

const compiled = compileMapping(
  {
    userName: 'uid',
    displayName: 'displayName',
    nickName: { from: 'givenName', createOnly: true },
    'emails[type eq "work"].value': 'mail',
    externalId: 'employeeNumber',
    [`${ACME}:groupsInSource`]: 'cn',
    [`${ACME}:contractor`]: { from: 'employeeType', transform: (value) => value === 'Contractor' },
  },
  { schemas: [...CORE_SCHEMAS, ACME_SCHEMA] },
);
const mapped = mapUser(compiled, openLdapUser);

function target(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...structuredClone(mapped.resource), id: 'abc', nickName: 'Johnny', ...overrides };
}

describe('driftedAttributes', () => {
  it('finds nothing when the target holds the mapped values, however it spells or orders them', () => {
    const same = target({
      emails: [{ type: 'Work', value: 'JOHN.SMITH@example.org' }],
      [ACME]: { groupsInSource: ['Johnny Smith', 'John Smith'], contractor: 'True' },
    });
    expect(driftedAttributes(same, mapped, compiled)).toEqual([]);
  });

  it('names each mapped attribute changed in the target, but not createOnly ones', () => {
    const changed = target({
      displayName: 'Someone Else',
      emails: [{ type: 'home', value: 'john.smith@example.org' }],
      externalId: '42 ',
      nickName: 'JS',
    });
    expect(driftedAttributes(changed, mapped, compiled)).toEqual([
      'displayName',
      'emails[type eq "work"].value',
      'externalId',
    ]);
  });

  it('compares caseExact attributes exactly', () => {
    const upper = compileMapping({ userName: 'uid', externalId: 'uid' });
    const mappedUpper = mapUser(upper, openLdapUser);
    expect(
      driftedAttributes(
        { schemas: [SCHEMAS.User], userName: 'JSMITH', externalId: 'JSMITH' },
        mappedUpper,
        upper,
      ),
    ).toEqual(['externalId']);
  });

  it('names a mapped attribute the target lost, and one the source lost', () => {
    const { displayName: _removed, ...withoutDisplayName } = target();
    expect(driftedAttributes(withoutDisplayName, mapped, compiled)).toEqual(['displayName']);
    const sourceLost = mapUser(compiled, {
      ...openLdapUser,
      attributes: { ...openLdapUser.attributes, displayName: [] },
    });
    expect(driftedAttributes(target(), sourceLost, compiled)).toEqual(['displayName']);
  });
});
