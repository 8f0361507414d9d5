import { describe, expect, it } from 'vitest';
import { type CompileMappingOptions, compileMapping } from '../../../src/engine/mapping/compile';
import {
  ACTIVE_DIRECTORY_USER_MAPPING,
  DEFAULT_GROUP_MAPPING,
  LDAPV3_USER_MAPPING,
} from '../../../src/engine/mapping/defaults';
import {
  isMappingError,
  type MappingError,
  type MappingErrorCode,
} from '../../../src/engine/mapping/MappingError';
import type { AttributeMapping } from '../../../src/engine/mapping/types';
import { isScimError } from '../../../src/scim/errors/ScimError';
import { CORE_SCHEMAS, ENTERPRISE_USER_SCHEMA, USER_SCHEMA } from '../../../src/scim/models/core-schemas';
import { ACME, ACME_SCHEMA } from './fixtures';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

function compileError(mapping: AttributeMapping, options?: CompileMappingOptions): MappingError {
  try {
    compileMapping(mapping, options);
  } catch (error) {
    if (isMappingError(error)) return error;
    throw error;
  }
  throw new Error('expected compileMapping to throw');
}

function expectRefused(
  mapping: AttributeMapping,
  code: MappingErrorCode,
  attribute: string,
  message: RegExp,
  options?: CompileMappingOptions,
): void {
  const error = compileError(mapping, options);
  expect({ code: error.code, attribute: error.attribute }).toEqual({ code, attribute });
  expect(error.message).toMatch(message);
  expect(error.message).toContain(attribute);
}

const TARGET_SCHEMAS = { schemas: [...CORE_SCHEMAS, ACME_SCHEMA] };

describe('compileMapping: the default mappings', () => {
  it.each([
    ['Active Directory', ACTIVE_DIRECTORY_USER_MAPPING],
    ['LDAPv3', LDAPV3_USER_MAPPING],
  ])('the %s user mapping passes the RFC 7643 schemas', (_name, mapping) => {
    const compiled = compileMapping(mapping, { schemas: CORE_SCHEMAS });
    expect(compiled.rules).toHaveLength(Object.keys(mapping).length);
    expect(compiled.rules.find((rule) => rule.key.endsWith(':department'))?.schema).toBe(ENTERPRISE);
  });

  it('the group mapping passes the RFC 7643 Group schema', () => {
    const compiled = compileMapping(DEFAULT_GROUP_MAPPING, { schemas: CORE_SCHEMAS, resourceType: 'Group' });
    expect(compiled.rules.map((rule) => [rule.attr, rule.from])).toEqual([['displayName', 'cn']]);
  });

  it('lists the source attributes to read, each once', () => {
    const compiled = compileMapping({ ...ACTIVE_DIRECTORY_USER_MAPPING, nickName: 'GIVENNAME' });
    expect(compiled.sourceAttributes).toContain('userPrincipalName');
    expect(compiled.sourceAttributes.filter((name) => name.toLowerCase() === 'givenname')).toHaveLength(1);
  });

  it('cannot be modified', () => {
    expect(Object.isFrozen(ACTIVE_DIRECTORY_USER_MAPPING)).toBe(true);
    const compiled = compileMapping(LDAPV3_USER_MAPPING);
    expect(Object.isFrozen(compiled.rules)).toBe(true);
  });
});

describe('compileMapping: paths and rules', () => {
  it('names the key of a path that does not parse', () => {
    expectRefused(
      { userName: 'uid', 'name..givenName': 'givenName' },
      'invalidPath',
      'name..givenName',
      /Mapping key/,
    );
    expectRefused({ userName: 'uid', 'display name': 'cn' }, 'invalidPath', 'display name', /Mapping key/);
  });

  it('accepts only "sub eq value" conditions joined by "and" in a value filter', () => {
    const compiled = compileMapping({
      userName: 'uid',
      'addresses[type eq "work" and primary eq true].locality': 'l',
    });
    expect(compiled.rules[1]?.conditions).toEqual([
      { name: 'type', value: 'work' },
      { name: 'primary', value: true },
    ]);
    expectRefused(
      { userName: 'uid', 'emails[type eq "work" or type eq "home"].value': 'mail' },
      'invalidPath',
      'emails[type eq "work" or type eq "home"].value',
      /"and"/,
    );
    expectRefused(
      { userName: 'uid', 'emails[value co "@x"].value': 'mail' },
      'invalidPath',
      'emails[value co "@x"].value',
      /eq/,
    );
  });

  it('refuses a value filter that tests the sub-attribute being written', () => {
    expectRefused(
      { userName: 'uid', 'emails[value eq "x"].value': 'mail' },
      'invalidPath',
      'emails[value eq "x"].value',
      /cannot test/,
    );
  });

  it('refuses two keys that name the same attribute, whatever their spelling', () => {
    expectRefused(
      { userName: 'uid', displayName: 'cn', DISPLAYNAME: 'displayName' },
      'duplicate',
      'DISPLAYNAME',
      /displayName/,
    );
    expectRefused(
      { userName: 'uid', 'urn:ietf:params:scim:schemas:core:2.0:User:userName': 'mail' },
      'duplicate',
      'urn:ietf:params:scim:schemas:core:2.0:User:userName',
      /same attribute/,
    );
    expectRefused(
      { userName: 'uid', 'emails[type eq "work"].value': 'mail', 'emails[TYPE eq "Work"].value': 'mail' },
      'duplicate',
      'emails[TYPE eq "Work"].value',
      /same attribute/,
    );
  });

  it('refuses attributes the engine manages, and secrets', () => {
    expectRefused({ userName: 'uid', active: 'enabled' }, 'reserved', 'active', /account's status/);
    expectRefused(
      { userName: 'uid', 'meta.created': 'whenCreated' },
      'reserved',
      'meta.created',
      /service provider/,
    );
    expectRefused(
      { userName: 'uid', 'groups[type eq "direct"].value': 'memberOf' },
      'reserved',
      'groups[type eq "direct"].value',
      /read-only/,
    );
    expectRefused({ userName: 'uid', password: 'userPassword' }, 'reserved', 'password', /secret/);
    expectRefused(
      { displayName: 'cn', 'members[type eq "User"].value': 'member' },
      'reserved',
      'members[type eq "User"].value',
      /members/,
      {
        resourceType: 'Group',
      },
    );
  });

  it('requires userName in a user mapping', () => {
    expectRefused({ displayName: 'displayName' }, 'missingRequired', 'userName', /RFC 7643/);
  });

  it('names what is wrong with a malformed rule', () => {
    expectRefused({ userName: '' }, 'invalidRule', 'userName', /empty/);
    expectRefused(
      { userName: { from: 'uid', transform: 'capitalize' as 'trim' } },
      'invalidRule',
      'userName',
      /capitalize/,
    );
    expectRefused(
      { userName: { from: 'uid', createOnly: 'yes' as unknown as boolean } },
      'invalidRule',
      'userName',
      /createOnly/,
    );
    expectRefused(
      { userName: { from: 'uid', defualt: 'x' } as unknown as { from: string } },
      'invalidRule',
      'userName',
      /defualt/,
    );
    expectRefused(
      { userName: 'uid', title: { from: 'title', default: { text: 'x' } as unknown as string } },
      'invalidRule',
      'title',
      /default/,
    );
  });

  it('is a ScimError for hosts that catch the package family', () => {
    expect(isScimError(compileError({ displayName: 'cn' }))).toBe(true);
  });
});

describe('compileMapping: checks against the target schemas', () => {
  it('refuses an attribute the target does not have', () => {
    expectRefused(
      { userName: 'uid', nickname2: 'cn' },
      'unknownAttribute',
      'nickname2',
      /no attribute "nickname2"/,
      TARGET_SCHEMAS,
    );
    expectRefused(
      { userName: 'uid', 'name.firstName': 'givenName' },
      'unknownAttribute',
      'name.firstName',
      /no sub-attribute "firstName"/,
      TARGET_SCHEMAS,
    );
    expectRefused(
      { userName: 'uid', [`${ACME}:costCentre`]: 'x' },
      'unknownAttribute',
      `${ACME}:costCentre`,
      /costCentre/,
      TARGET_SCHEMAS,
    );
    expectRefused(
      { userName: 'uid', 'emails[kind eq "work"].value': 'mail' },
      'unknownAttribute',
      'emails[kind eq "work"].value',
      /"kind"/,
      TARGET_SCHEMAS,
    );
  });

  it('refuses an extension the target does not publish, naming those it does', () => {
    const error = compileError(
      { userName: 'uid', [`${ACME}:costCenter`]: 'x' },
      { schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA] },
    );
    expect(error.code).toBe('unknownSchema');
    expect(error.message).toContain(ENTERPRISE);
  });

  it('refuses a path that does not fit the attribute type', () => {
    expectRefused(
      { userName: 'uid', name: 'cn' },
      'wrongType',
      'name',
      /complex attribute.*givenName/,
      TARGET_SCHEMAS,
    );
    expectRefused(
      { userName: 'uid', 'emails.value': 'mail' },
      'wrongType',
      'emails.value',
      /multi-valued.*emails\[type eq "work"\]\.value/,
      TARGET_SCHEMAS,
    );
    expectRefused(
      { userName: 'uid', 'emails[type eq "work"]': 'mail' },
      'wrongType',
      'emails[type eq "work"]',
      /sub-attribute/,
      TARGET_SCHEMAS,
    );
    expectRefused(
      { userName: 'uid', 'title.text': 'title' },
      'wrongType',
      'title.text',
      /string attribute/,
      TARGET_SCHEMAS,
    );
    expectRefused(
      { userName: 'uid', 'name[type eq "x"].givenName': 'givenName' },
      'wrongType',
      'name[type eq "x"].givenName',
      /not a multi-valued/,
      TARGET_SCHEMAS,
    );
    expectRefused(
      { userName: 'uid', [`${ACME}:contractor`]: { from: 'x', default: 'yes' } },
      'wrongType',
      `${ACME}:contractor`,
      /boolean/,
      TARGET_SCHEMAS,
    );
    expectRefused(
      { userName: 'uid', title: { from: 'title', default: ['a', 'b'] } },
      'wrongType',
      'title',
      /single-valued/,
      TARGET_SCHEMAS,
    );
  });

  it('checks structure against RFC 7643 even when the target publishes no schemas', () => {
    expectRefused({ userName: 'uid', name: 'cn' }, 'wrongType', 'name', /complex/);
    expectRefused(
      { userName: 'uid', 'phoneNumbers.value': 'mobile' },
      'wrongType',
      'phoneNumbers.value',
      /multi-valued/,
    );
    // Without published schemas, attributes RFC 7643 does not define are taken as written.
    const compiled = compileMapping({ userName: 'uid', [`${ACME}:anything`]: 'x', customTopLevel: 'y' });
    expect(compiled.rules.map((rule) => rule.type)).toEqual(['string', undefined, undefined]);
  });

  it('refuses a read-only target attribute or sub-attribute', () => {
    expectRefused(
      { userName: 'uid', [`${ACME}:lastLogin`]: 'lastLogon' },
      'readOnly',
      `${ACME}:lastLogin`,
      /read-only/,
      TARGET_SCHEMAS,
    );
    expectRefused(
      { userName: 'uid', [`${ACME}:site.label`]: 'physicalDeliveryOfficeName' },
      'readOnly',
      `${ACME}:site.label`,
      /site\.label/,
      TARGET_SCHEMAS,
    );
    expectRefused(
      { userName: 'uid', [`${ENTERPRISE}:manager.displayName`]: 'manager' },
      'readOnly',
      `${ENTERPRISE}:manager.displayName`,
      /read-only/,
      TARGET_SCHEMAS,
    );
  });

  it('accepts an immutable attribute only as createOnly', () => {
    expectRefused(
      { userName: 'uid', [`${ACME}:badgeNumber`]: 'employeeID' },
      'immutable',
      `${ACME}:badgeNumber`,
      /createOnly: true/,
      TARGET_SCHEMAS,
    );
    const compiled = compileMapping(
      { userName: 'uid', [`${ACME}:badgeNumber`]: { from: 'employeeID', createOnly: true } },
      TARGET_SCHEMAS,
    );
    expect(compiled.rules[1]?.createOnly).toBe(true);
  });

  it('refuses a write-only attribute (a secret)', () => {
    expectRefused(
      { userName: 'uid', [`${ACME}:pin`]: 'pager' },
      'writeOnly',
      `${ACME}:pin`,
      /secret/,
      TARGET_SCHEMAS,
    );
  });

  it('takes the schema spelling of names and keeps externalId writable', () => {
    const compiled = compileMapping(
      {
        USERNAME: 'uid',
        'NAME.GIVENNAME': 'givenName',
        externalid: 'objectGUID',
        [`${ACME.toUpperCase()}:COSTCENTER`]: 'x',
      },
      TARGET_SCHEMAS,
    );
    expect(compiled.rules.map((rule) => [rule.schema, rule.attr, rule.subAttr])).toEqual([
      [undefined, 'userName', undefined],
      [undefined, 'name', 'givenName'],
      [undefined, 'externalId', undefined],
      [ACME, 'costCenter', undefined],
    ]);
    expect(compiled.rules[2]?.caseExact).toBe(true);
  });

  it('refuses a core schema other than the resource being mapped', () => {
    expectRefused(
      { userName: 'uid', 'urn:ietf:params:scim:schemas:core:2.0:Group:displayName': 'cn' },
      'unknownSchema',
      'urn:ietf:params:scim:schemas:core:2.0:Group:displayName',
      /User schema/,
    );
  });
});
