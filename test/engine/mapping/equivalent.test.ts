import { describe, expect, it } from 'vitest';
import { compileMapping } from '../../../src/engine/mapping/compile';
import { mappingsEquivalent } from '../../../src/engine/mapping/equivalent';
import { CORE_SCHEMAS } from '../../../src/scim/models/core-schemas';

const mapping = {
  userName: 'uid',
  'name.givenName': 'givenName',
  'emails[type eq "work"].value': 'mail',
  displayName: { from: 'cn', transform: 'trim' as const },
};

describe('mappingsEquivalent', () => {
  it('holds for a mapping compiled with and without schemas that say nothing new', () => {
    const configured = compileMapping(mapping, { resourceType: 'User' });
    const checked = compileMapping(mapping, { resourceType: 'User', schemas: CORE_SCHEMAS });
    expect(checked).not.toBe(configured);
    expect(mappingsEquivalent(checked, configured)).toBe(true);
  });

  it('fails when a rule reads another source attribute, is missing, or has another transform', () => {
    const configured = compileMapping(mapping, { resourceType: 'User' });
    expect(
      mappingsEquivalent(
        compileMapping({ ...mapping, userName: 'mail' }, { resourceType: 'User' }),
        configured,
      ),
    ).toBe(false);
    const { displayName: _dropped, ...fewer } = mapping;
    expect(mappingsEquivalent(compileMapping(fewer, { resourceType: 'User' }), configured)).toBe(false);
    expect(
      mappingsEquivalent(
        compileMapping(
          { ...mapping, displayName: { from: 'cn', transform: 'lower' as const } },
          { resourceType: 'User' },
        ),
        configured,
      ),
    ).toBe(false);
  });

  it('fails when the target schema gives an attribute another type', () => {
    const configured = compileMapping(
      { userName: 'uid', 'urn:example:ext:1.0:User:badge': 'badge' },
      { resourceType: 'User' },
    );
    const schemas = [
      ...CORE_SCHEMAS,
      {
        id: 'urn:example:ext:1.0:User',
        name: 'Ext',
        attributes: [{ name: 'badge', type: 'integer', multiValued: false, mutability: 'readWrite' }],
      },
    ];
    const checked = compileMapping(
      { userName: 'uid', 'urn:example:ext:1.0:User:badge': 'badge' },
      { resourceType: 'User', schemas: schemas as never },
    );
    expect(mappingsEquivalent(checked, configured)).toBe(false);
  });
});
