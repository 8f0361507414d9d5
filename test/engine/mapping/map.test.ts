import { describe, expect, it } from 'vitest';
import type { SourceUser } from '../../../src/datastore/types';
import { compileMapping } from '../../../src/engine/mapping/compile';
import {
  ACTIVE_DIRECTORY_USER_MAPPING,
  DEFAULT_GROUP_MAPPING,
  LDAPV3_USER_MAPPING,
} from '../../../src/engine/mapping/defaults';
import { isMappingError, type MappingError } from '../../../src/engine/mapping/MappingError';
import { mapGroup, mapUser } from '../../../src/engine/mapping/map';
import type { AttributeMapping, TransformContext } from '../../../src/engine/mapping/types';
import { CORE_SCHEMAS } from '../../../src/scim/models/core-schemas';
import { SCHEMAS } from '../../../src/scim/schemas';
import { ACME, ACME_SCHEMA, adGroup, adUser, openLdapUser } from './fixtures';

const ENTERPRISE = SCHEMAS.EnterpriseUser;

function withAttributes(
  user: SourceUser,
  changes: Record<string, string | string[] | Buffer | undefined>,
): SourceUser {
  const attributes = { ...user.attributes } as Record<string, string | string[] | Buffer | Buffer[]>;
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete attributes[name];
    else attributes[name] = value;
  }
  return { ...user, attributes };
}

function mappingError(run: () => unknown): MappingError {
  try {
    run();
  } catch (error) {
    if (isMappingError(error)) return error;
    throw error;
  }
  throw new Error('expected a MappingError');
}

describe('mapUser with the default mappings', () => {
  it('maps an Active Directory user to a SCIM User with the Enterprise extension', () => {
    const { resource, cleared } = mapUser(compileMapping(ACTIVE_DIRECTORY_USER_MAPPING), adUser);
    expect(resource).toEqual({
      schemas: [SCHEMAS.User, ENTERPRISE],
      userName: 'bjensen@corp.example.com',
      displayName: 'Barbara Jensen',
      name: { givenName: 'Barbara', middleName: 'Jane', familyName: 'Jensen' },
      title: 'Tour Guide',
      emails: [{ type: 'work', value: 'Barbara.Jensen@corp.example.com' }],
      phoneNumbers: [
        { type: 'work', value: '+1 555 555 5555' },
        { type: 'mobile', value: '+1 555 555 4444' },
      ],
      addresses: [
        {
          type: 'work',
          streetAddress: '100 Universal City Plaza',
          locality: 'Hollywood',
          region: 'CA',
          postalCode: '91608',
          country: 'US',
        },
      ],
      [ENTERPRISE]: {
        employeeNumber: '701984',
        department: 'Tour Operations',
        division: 'Theme Park',
        organization: 'Universal Studios',
      },
    });
    expect(cleared).toEqual([]);
  });

  it('maps an OpenLDAP inetOrgPerson, taking the first of several values and listing what it lacks', () => {
    const { resource, cleared } = mapUser(
      compileMapping(LDAPV3_USER_MAPPING, { schemas: CORE_SCHEMAS }),
      openLdapUser,
    );
    expect(resource).toMatchObject({
      schemas: [SCHEMAS.User, ENTERPRISE],
      userName: 'jsmith',
      userType: 'Contractor',
      preferredLanguage: 'en-GB',
      emails: [{ type: 'work', value: 'john.smith@example.org' }],
      addresses: [
        { type: 'work', streetAddress: '1 Example Street', locality: 'London', postalCode: 'EC1A 1BB' },
      ],
      [ENTERPRISE]: { employeeNumber: '42', department: 'R&D', organization: 'Example Ltd' },
    });
    expect(cleared).toEqual(['addresses[type eq "work"].region']);
  });

  it('reads source attribute names case-insensitively', () => {
    const compiled = compileMapping({ userName: 'UID', 'name.givenName': 'GIVENNAME' });
    expect(mapUser(compiled, openLdapUser).resource).toMatchObject({
      userName: 'jsmith',
      name: { givenName: 'John' },
    });
  });

  it('refuses a user without a userName value, naming the user but not its values', () => {
    const error = mappingError(() =>
      mapUser(
        compileMapping(ACTIVE_DIRECTORY_USER_MAPPING),
        withAttributes(adUser, { userPrincipalName: undefined }),
      ),
    );
    expect(error.code).toBe('missingRequired');
    expect(error.sourceId).toBe(adUser.id);
    expect(error.message).toContain('userPrincipalName');
  });
});

describe('mapUser: transforms', () => {
  it('applies trim, lower and upper, in the order given', () => {
    const compiled = compileMapping({
      userName: { from: 'userPrincipalName', transform: ['trim', 'lower'] },
      title: { from: 'title', transform: 'upper' },
      displayName: { from: 'displayName', transform: 'trim' },
    });
    const user = withAttributes(adUser, {
      userPrincipalName: '  BJensen@Corp.Example.com ',
      title: 'Tour Guide',
      displayName: '   ',
    });
    const { resource, cleared } = mapUser(compiled, user);
    expect(resource.userName).toBe('bjensen@corp.example.com');
    expect(resource.title).toBe('TOUR GUIDE');
    expect(resource).not.toHaveProperty('displayName');
    expect(cleared).toEqual(['displayName']);
  });

  it('calls a custom transform per value with the path, the attribute and the whole source object', () => {
    const seen: TransformContext[] = [];
    const compiled = compileMapping({
      userName: 'sAMAccountName',
      displayName: {
        from: 'givenName',
        transform: (value, context) => {
          seen.push(context);
          return `${String(value)} ${String(context.source.attributes.sn)}`;
        },
      },
      externalId: {
        from: 'objectGUID',
        transform: (value) => (Buffer.isBuffer(value) ? value.toString('hex') : value),
      },
    });
    const { resource } = mapUser(compiled, adUser);
    expect(resource.displayName).toBe('Barbara Jensen');
    expect(resource.externalId).toBe('ff1996f6868b11d0b42d00c04fc964ff');
    expect(seen).toHaveLength(1);
    expect(seen[0]?.path).toBe('displayName');
    expect(seen[0]?.from).toBe('givenName');
    expect(seen[0]?.source.id).toBe(adUser.id);
  });

  it('drops values a custom transform maps to null, then uses the default', () => {
    const compiled = compileMapping({
      userName: 'sAMAccountName',
      title: {
        from: 'title',
        transform: (value) => (value === 'Tour Guide' ? null : value),
        default: 'Staff',
      },
    });
    expect(mapUser(compiled, adUser).resource.title).toBe('Staff');
  });

  it("reports a throwing custom transform as that user's mapping error, without the value", () => {
    const compiled = compileMapping({
      userName: 'sAMAccountName',
      title: {
        from: 'title',
        transform: () => {
          throw new Error('no title allowed');
        },
      },
    });
    const error = mappingError(() => mapUser(compiled, adUser));
    expect(error.code).toBe('invalidValue');
    expect(error.attribute).toBe('title');
    expect(error.sourceId).toBe(adUser.id);
    expect(error.message).not.toContain('Tour Guide');
    expect((error.cause as Error).message).toBe('no title allowed');
  });
});

describe('mapUser: createOnly, default and clearing', () => {
  const mapping: AttributeMapping = {
    ...ACTIVE_DIRECTORY_USER_MAPPING,
    nickName: { from: 'givenName', createOnly: true },
    title: { from: 'title', default: 'Employee' },
  };
  const compiled = compileMapping(mapping);

  it('writes a createOnly attribute on create but keeps it out of the update hash and of clearing', () => {
    const base = mapUser(compiled, adUser);
    expect(base.resource.nickName).toBe('Barbara');
    const renamed = mapUser(compiled, withAttributes(adUser, { givenName: 'Babs' }));
    // givenName is also mapped to name.givenName (not createOnly), so compare with a mapping without it.
    const onlyCreate = compileMapping({
      userName: 'sAMAccountName',
      nickName: { from: 'givenName', createOnly: true },
    });
    expect(mapUser(onlyCreate, withAttributes(adUser, { givenName: 'Babs' })).hash).toBe(
      mapUser(onlyCreate, adUser).hash,
    );
    expect(renamed.hash).not.toBe(base.hash);
    const gone = mapUser(onlyCreate, withAttributes(adUser, { givenName: undefined }));
    expect(gone.cleared).toEqual([]);
    expect(gone.resource).not.toHaveProperty('nickName');
  });

  it('uses the default when the source has no value, and never clears such an attribute', () => {
    const { resource, cleared } = mapUser(compiled, withAttributes(adUser, { title: undefined }));
    expect(resource.title).toBe('Employee');
    expect(cleared).not.toContain('title');
  });

  it('lists attributes that became empty so that the target clears them', () => {
    const { resource, cleared } = mapUser(
      compiled,
      withAttributes(adUser, { telephoneNumber: undefined, department: [], mail: '' }),
    );
    expect(cleared).toEqual([
      'emails[type eq "work"].value',
      'phoneNumbers[type eq "work"].value',
      `${ENTERPRISE}:department`,
    ]);
    expect(resource).not.toHaveProperty('emails');
    expect(resource.phoneNumbers).toEqual([{ type: 'mobile', value: '+1 555 555 4444' }]);
    expect(resource[ENTERPRISE]).not.toHaveProperty('department');
  });

  it('names an extension in schemas only when one of its attributes has a value', () => {
    const enterpriseOnly = compileMapping({
      userName: 'sAMAccountName',
      [`${ENTERPRISE}:department`]: 'department',
    });
    expect(mapUser(enterpriseOnly, withAttributes(adUser, { department: undefined })).resource).toEqual({
      schemas: [SCHEMAS.User],
      userName: 'bjensen',
    });
  });
});

describe('mapUser: values converted to the target types', () => {
  const compiled = compileMapping(
    {
      userName: 'uid',
      [`${ACME}:costCenter`]: 'departmentNumber',
      [`${ACME}:contractor`]: 'isContractor',
      [`${ACME}:clearanceLevel`]: 'clearance',
      [`${ACME}:hiredOn`]: 'createTimestamp',
      [`${ACME}:badgePhoto`]: 'jpegPhoto',
      [`${ACME}:groupsInSource`]: 'memberOf',
      [`${ACME}:site.code`]: 'physicalDeliveryOfficeName',
    },
    { schemas: [...CORE_SCHEMAS, ACME_SCHEMA] },
  );
  const user = withAttributes(openLdapUser, {
    isContractor: 'TRUE',
    clearance: '3',
    createTimestamp: '20240131093000.5+0100',
    memberOf: ['cn=staff,ou=groups,dc=example,dc=org', 'cn=dev,ou=groups,dc=example,dc=org'],
    physicalDeliveryOfficeName: 'LON-1',
  });

  it('converts booleans, integers, GeneralizedTime, binary and multi-valued attributes', () => {
    const { resource } = mapUser(compiled, user);
    expect(resource.schemas).toEqual([SCHEMAS.User, ACME]);
    expect(resource[ACME]).toEqual({
      costCenter: 'R&D',
      contractor: true,
      clearanceLevel: 3,
      hiredOn: '2024-01-31T08:30:00.500Z',
      badgePhoto: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]).toString('base64'),
      groupsInSource: ['cn=staff,ou=groups,dc=example,dc=org', 'cn=dev,ou=groups,dc=example,dc=org'],
      site: { code: 'LON-1' },
    });
  });

  it('refuses a value that does not fit the type, for that user only and without the value', () => {
    const error = mappingError(() => mapUser(compiled, withAttributes(user, { clearance: 'three' })));
    expect(error.code).toBe('invalidValue');
    expect(error.attribute).toBe(`${ACME}:clearanceLevel`);
    expect(error.sourceId).toBe(openLdapUser.id);
    expect(error.message).toContain('integer');
    expect(error.message).not.toContain('three');
    expect(() => mapUser(compiled, user)).not.toThrow();
  });

  it('writes binary values without a schema as base64', () => {
    const plain = compileMapping({ userName: 'sAMAccountName', externalId: 'objectGUID' });
    expect(mapUser(plain, adUser).resource.externalId).toBe(
      Buffer.from('ff1996f6868b11d0b42d00c04fc964ff', 'hex').toString('base64'),
    );
  });
});

describe('mapUser: the hash', () => {
  const compiled = compileMapping(ACTIVE_DIRECTORY_USER_MAPPING);

  it('does not depend on the order of mapping keys or of source attributes', () => {
    const reversed = compileMapping(
      Object.fromEntries(Object.entries(ACTIVE_DIRECTORY_USER_MAPPING).reverse()),
    );
    const shuffled = {
      ...adUser,
      attributes: Object.fromEntries(Object.entries(adUser.attributes).reverse()),
    };
    expect(mapUser(reversed, shuffled).hash).toBe(mapUser(compiled, adUser).hash);
  });

  it('changes when a mapped value changes, appears or disappears, and only then', () => {
    const base = mapUser(compiled, adUser).hash;
    expect(mapUser(compiled, withAttributes(adUser, { title: 'Head Guide' })).hash).not.toBe(base);
    expect(mapUser(compiled, withAttributes(adUser, { title: undefined })).hash).not.toBe(base);
    expect(mapUser(compiled, withAttributes(adUser, { whenCreated: '20990101000000.0Z' })).hash).toBe(base);
    const disabled: SourceUser = { ...adUser, disabled: true };
    expect(mapUser(compiled, disabled).hash).toBe(base);
  });

  it('changes when the mapping gains an attribute', () => {
    const more = compileMapping({ ...ACTIVE_DIRECTORY_USER_MAPPING, nickName: 'sAMAccountName' });
    expect(mapUser(more, adUser).hash).not.toBe(mapUser(compiled, adUser).hash);
  });

  it('tells apart binary values by their bytes', () => {
    const byGuid = compileMapping({ userName: 'sAMAccountName', externalId: 'objectGUID' });
    const other = withAttributes(adUser, {
      objectGUID: Buffer.from('ff1996f6868b11d0b42d00c04fc964fe', 'hex'),
    });
    expect(mapUser(byGuid, other).hash).not.toBe(mapUser(byGuid, adUser).hash);
  });
});

describe('mapGroup', () => {
  const compiled = compileMapping(DEFAULT_GROUP_MAPPING, { resourceType: 'Group' });

  it('maps displayName from cn', () => {
    const { resource, cleared } = mapGroup(compiled, adGroup);
    expect(resource).toEqual({ schemas: [SCHEMAS.Group], displayName: 'Tour Guides' });
    expect(cleared).toEqual([]);
  });

  it("falls back to the group's name when cn was not read", () => {
    const withoutCn = { ...adGroup, attributes: {} };
    const mapped = mapGroup(compiled, withoutCn);
    expect(mapped.resource.displayName).toBe('Tour Guides');
    expect(mapped.cleared).toEqual([]);
    expect(mapped.hash).toBe(mapGroup(compiled, adGroup).hash);
    expect(mapGroup(compiled, { ...withoutCn, name: 'Guides' }).hash).not.toBe(mapped.hash);
  });

  it('refuses a group with no name at all', () => {
    const error = mappingError(() => mapGroup(compiled, { ...adGroup, name: '', attributes: {} }));
    expect(error.code).toBe('missingRequired');
    expect(error.sourceId).toBe(adGroup.id);
  });

  it('needs a mapping compiled for its resource type', () => {
    expect(() => mapGroup(compileMapping(ACTIVE_DIRECTORY_USER_MAPPING), adGroup)).toThrow(
      /resourceType "Group"/,
    );
    expect(() => mapUser(compiled, adUser)).toThrow(/resourceType "User"/);
  });
});
