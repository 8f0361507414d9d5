import { describe, expect, it } from 'vitest';
import type { SourceUser } from '../../../src/datastore/types';
import { compileMapping } from '../../../src/engine/mapping/compile';
import { ACTIVE_DIRECTORY_USER_MAPPING, DEFAULT_GROUP_MAPPING } from '../../../src/engine/mapping/defaults';
import { mapGroup, mapUser } from '../../../src/engine/mapping/map';
import { mergeForReplace } from '../../../src/engine/mapping/merge';
import { CORE_SCHEMAS } from '../../../src/scim/models/core-schemas';
import { SCHEMAS } from '../../../src/scim/schemas';
import { ACME, ACME_SCHEMA, adGroup, adUser } from './fixtures';

const ENTERPRISE = SCHEMAS.EnterpriseUser;
const OTHER = 'urn:example:params:scim:schemas:extension:other:1.0:User';

/** Barbara as the target has her after an earlier provisioning, plus changes made in the target. */
function targetUser(): Record<string, unknown> {
  return {
    schemas: [SCHEMAS.User, ENTERPRISE, OTHER],
    id: '2819c223-7f76-453a-919d-413861904646',
    externalId: 'bjensen',
    meta: {
      resourceType: 'User',
      created: '2011-08-01T18:29:49.793Z',
      lastModified: '2011-08-01T18:29:49.793Z',
      location: 'https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646',
      version: 'W/"f250dd84f0671c3"',
    },
    userName: 'bjensen@corp.example.com',
    name: { formatted: 'Ms. Barbara J Jensen, III', familyName: 'Jensen', givenName: 'Barbara' },
    displayName: 'Babs Jensen',
    nickName: 'Babs',
    title: 'Guide',
    active: true,
    emails: [
      { value: 'old.address@corp.example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ],
    phoneNumbers: [{ value: '+1 555 555 0000', type: 'work' }],
    groups: [
      { value: 'e9e30dba-f08f-4109-8486-d5c6a331660a', display: 'Tour Guides', $ref: '../Groups/e9e30dba' },
    ],
    [ENTERPRISE]: {
      employeeNumber: '701984',
      costCenter: '4130',
      manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d', displayName: 'John Smith' },
    },
    [OTHER]: { badge: 'B-17' },
  };
}

function withAttributes(user: SourceUser, changes: Record<string, string | undefined>): SourceUser {
  const attributes = { ...user.attributes } as Record<string, string | string[] | Buffer | Buffer[]>;
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete attributes[name];
    else attributes[name] = value;
  }
  return { ...user, attributes };
}

const compiled = compileMapping(
  { ...ACTIVE_DIRECTORY_USER_MAPPING, nickName: { from: 'givenName', createOnly: true } },
  { schemas: CORE_SCHEMAS },
);

describe('mergeForReplace', () => {
  it('builds a PUT body that changes what the mapping owns and keeps everything else', () => {
    const source = withAttributes(adUser, { telephoneNumber: undefined, title: 'Head Guide' });
    const target = targetUser();
    const before = structuredClone(target);
    const body = mergeForReplace(target, mapUser(compiled, source), compiled);

    expect(target).toEqual(before);
    expect(body).toEqual({
      schemas: [SCHEMAS.User, ENTERPRISE, OTHER],
      id: '2819c223-7f76-453a-919d-413861904646',
      externalId: 'bjensen',
      userName: 'bjensen@corp.example.com',
      name: {
        formatted: 'Ms. Barbara J Jensen, III',
        familyName: 'Jensen',
        givenName: 'Barbara',
        middleName: 'Jane',
      },
      displayName: 'Barbara Jensen',
      nickName: 'Babs',
      title: 'Head Guide',
      active: true,
      emails: [
        { value: 'Barbara.Jensen@corp.example.com', type: 'work', primary: true },
        { value: 'babs@jensen.org', type: 'home' },
      ],
      phoneNumbers: [{ type: 'mobile', value: '+1 555 555 4444' }],
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
        costCenter: '4130',
        manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d' },
        department: 'Tour Operations',
        division: 'Theme Park',
        organization: 'Universal Studios',
      },
      [OTHER]: { badge: 'B-17' },
    });
  });

  it('clears single-valued attributes with null by default, as RFC 7643 section 2.5 defines', () => {
    const source = withAttributes(adUser, { title: undefined, department: undefined, middleName: undefined });
    const target = {
      ...targetUser(),
      [ENTERPRISE]: { department: 'Tour Operations' },
      name: { givenName: 'B', middleName: 'J' },
    };
    const body = mergeForReplace(target, mapUser(compiled, source), compiled);
    expect(body.title).toBeNull();
    expect(body[ENTERPRISE]).toMatchObject({ department: null });
    expect(body.name).toEqual({ givenName: 'Barbara', middleName: null, familyName: 'Jensen' });
  });

  it('leaves cleared attributes out with clear: "omit", dropping an extension left empty', () => {
    const source = withAttributes(adUser, {
      title: undefined,
      employeeID: undefined,
      department: undefined,
      division: undefined,
      company: undefined,
    });
    const target = { ...targetUser(), [ENTERPRISE]: { department: 'Tour Operations' } };
    const body = mergeForReplace(target, mapUser(compiled, source), compiled, { clear: 'omit' });
    expect(body).not.toHaveProperty('title');
    expect(body).not.toHaveProperty([ENTERPRISE]);
    expect(body.schemas).toEqual([SCHEMAS.User, OTHER]);
  });

  it('removes a value chosen by a filter once its value is cleared, keeping the others', () => {
    const body = mergeForReplace(
      targetUser(),
      mapUser(compiled, withAttributes(adUser, { mail: undefined })),
      compiled,
    );
    expect(body.emails).toEqual([{ value: 'babs@jensen.org', type: 'home' }]);
    const onlyWork = { ...targetUser(), emails: [{ value: 'x@corp.example.com', type: 'work' }] };
    expect(
      mergeForReplace(onlyWork, mapUser(compiled, withAttributes(adUser, { mail: undefined })), compiled)
        .emails,
    ).toEqual([]);
  });

  it('is what mapUser returns as resource when given the existing target object', () => {
    const target = targetUser();
    const mapped = mapUser(compiled, withAttributes(adUser, { title: 'Head Guide' }));
    const body = mergeForReplace(target, mapped, compiled);
    expect(body).toMatchObject({ title: 'Head Guide', nickName: 'Babs', externalId: 'bjensen' });
    expect(body).not.toHaveProperty('meta');
    expect(body).not.toHaveProperty('groups');
    expect(
      mapUser(compiled, withAttributes(adUser, { title: 'Head Guide' }), { existing: target }).resource,
    ).toEqual(body);
  });

  it('matches attribute names and filter values of the target case-insensitively', () => {
    const shouting = {
      SCHEMAS: [SCHEMAS.User],
      id: 'abc',
      USERNAME: 'OLD',
      Emails: [{ Type: 'Work', Value: 'old@corp.example.com', primary: true }],
      [ENTERPRISE.toUpperCase()]: { DEPARTMENT: 'Old' },
    };
    const body = mergeForReplace(shouting, mapUser(compiled, adUser), compiled);
    expect(body.userName).toBe('bjensen@corp.example.com');
    expect(body).not.toHaveProperty('USERNAME');
    expect(body.Emails).toEqual([{ Type: 'Work', value: 'Barbara.Jensen@corp.example.com', primary: true }]);
    expect(body[ENTERPRISE.toUpperCase()]).toMatchObject({ department: 'Tour Operations' });
    expect(body).not.toHaveProperty([ENTERPRISE]);
    // The extension holds a value, so schemas names it (once, under one spelling of the key).
    expect(body.schemas).toEqual([SCHEMAS.User, ENTERPRISE]);
    expect(body).not.toHaveProperty('SCHEMAS');
  });

  it('strips attributes the target schema marks read-only, in custom extensions too', () => {
    const acme = compileMapping(
      { userName: 'sAMAccountName', [`${ACME}:costCenter`]: 'department' },
      { schemas: [...CORE_SCHEMAS, ACME_SCHEMA] },
    );
    const target = {
      schemas: [SCHEMAS.User, ACME],
      id: 'abc',
      userName: 'bjensen',
      [ACME]: {
        costCenter: 'old',
        lastLogin: '2024-01-01T00:00:00Z',
        badgeNumber: 'B1',
        site: { code: 'LON', label: 'London' },
      },
    };
    expect(mergeForReplace(target, mapUser(acme, adUser), acme)[ACME]).toEqual({
      costCenter: 'Tour Operations',
      badgeNumber: 'B1',
      site: { code: 'LON' },
    });
  });

  it('sets a group displayName, falling back to the source name, and keeps its members', () => {
    const groups = compileMapping(DEFAULT_GROUP_MAPPING, { resourceType: 'Group', schemas: CORE_SCHEMAS });
    const target = {
      schemas: [SCHEMAS.Group],
      id: 'e9e30dba',
      displayName: 'Old name',
      members: [{ value: '2819c223', display: 'Babs', type: 'User' }],
      meta: { resourceType: 'Group' },
    };
    const body = mergeForReplace(target, mapGroup(groups, { ...adGroup, attributes: {} }), groups);
    expect(body).toEqual({
      schemas: [SCHEMAS.Group],
      id: 'e9e30dba',
      displayName: 'Tour Guides',
      members: [{ value: '2819c223', type: 'User' }],
    });
  });
});
