import { describe, expect, it } from 'vitest';
import {
  findKey,
  getAttributeContainer,
  getAttributeValues,
  parseAttributePath,
  stringifyAttributePath,
} from '../../src/scim/attributes';
import { isScimProtocolError } from '../../src/scim/errors/ScimProtocolError';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

function invalidPathError(text: string): unknown {
  try {
    parseAttributePath(text);
  } catch (error) {
    return error;
  }
  throw new Error(`parseAttributePath(${JSON.stringify(text)}) did not throw`);
}

describe('findKey', () => {
  it('finds a key whatever its case and returns the spelling the object has', () => {
    const user = { userName: 'bjensen', Emails: [] };
    expect(findKey(user, 'USERNAME')).toBe('userName');
    expect(findKey(user, 'emails')).toBe('Emails');
    expect(findKey(user, 'displayName')).toBeUndefined();
  });

  it('prefers the exact spelling when two keys differ only in case', () => {
    expect(findKey({ Title: 1, title: 2 }, 'title')).toBe('title');
    expect(findKey({ Title: 1, title: 2 }, 'Title')).toBe('Title');
  });

  it('ignores inherited properties', () => {
    expect(findKey({}, 'toString')).toBeUndefined();
    expect(findKey({}, 'constructor')).toBeUndefined();
  });
});

describe('parseAttributePath', () => {
  it('parses simple and sub-attribute paths, keeping their spelling', () => {
    expect(parseAttributePath('userName')).toEqual({ attr: 'userName' });
    expect(parseAttributePath('name.FamilyName')).toEqual({ attr: 'name', subAttr: 'FamilyName' });
    expect(parseAttributePath('members.$ref')).toEqual({ attr: 'members', subAttr: '$ref' });
  });

  it('splits a URN-qualified path at the last colon', () => {
    expect(parseAttributePath(`${ENTERPRISE}:manager.value`)).toEqual({
      schema: ENTERPRISE,
      attr: 'manager',
      subAttr: 'value',
    });
    expect(parseAttributePath(`${CORE_USER}:userName`)).toEqual({ schema: CORE_USER, attr: 'userName' });
    expect(parseAttributePath('urn:acme:schemas:Device:serial-number')).toEqual({
      schema: 'urn:acme:schemas:Device',
      attr: 'serial-number',
    });
  });

  it.each([
    ['', 'empty'],
    ['user name', 'space'],
    ['name.givenName.x', 'two sub-attributes'],
    ['name.', 'trailing dot'],
    ['.name', 'no attribute'],
    ['1abc', 'starts with a digit'],
    ['emails[type eq "work"]', 'value filter'],
    ['nouri:', 'nothing after the colon'],
    [':userName', 'empty schema'],
    ['a b:userName', 'space in the schema'],
  ])('rejects %j (%s) with invalidPath', (text) => {
    const error = invalidPathError(text);
    expect(isScimProtocolError(error)).toBe(true);
    expect(error).toMatchObject({ scimType: 'invalidPath', status: 400 });
    expect((error as Error).message).toContain(JSON.stringify(text));
  });

  it('round-trips through stringifyAttributePath', () => {
    for (const text of [
      'userName',
      'name.familyName',
      `${ENTERPRISE}:manager.value`,
      `${ENTERPRISE}:employeeNumber`,
    ]) {
      expect(stringifyAttributePath(parseAttributePath(text))).toBe(text);
    }
  });
});

describe('getAttributeContainer and getAttributeValues', () => {
  const user = {
    schemas: [CORE_USER, ENTERPRISE],
    id: '2819c223',
    UserName: 'bjensen',
    name: { givenName: 'Barbara', familyName: 'Jensen' },
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
      null,
      { type: 'other' },
    ],
    nickName: null,
    groups: [],
    'URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER': {
      employeeNumber: '701984',
      manager: { value: '26118915', displayName: 'John Smith' },
    },
  };

  it('reads top-level attributes for unqualified and core-schema paths, case-insensitively', () => {
    expect(getAttributeContainer(user, parseAttributePath('userName'))).toBe(user);
    expect(getAttributeValues(user, parseAttributePath('username'))).toEqual(['bjensen']);
    expect(getAttributeValues(user, parseAttributePath(`${CORE_USER}:userName`))).toEqual(['bjensen']);
    expect(getAttributeValues(user, parseAttributePath(`${CORE_USER.toLowerCase()}:NAME.givenname`))).toEqual(
      ['Barbara'],
    );
  });

  it('reads extension attributes from the object under the URN key, matched case-insensitively', () => {
    const path = parseAttributePath(`${ENTERPRISE}:manager.value`);
    expect(getAttributeContainer(user, path)).toBe(
      user['URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER'],
    );
    expect(getAttributeValues(user, path)).toEqual(['26118915']);
    expect(getAttributeValues(user, parseAttributePath(`${ENTERPRISE}:employeeNumber`))).toEqual(['701984']);
    // Unqualified, an extension attribute is not a top-level attribute.
    expect(getAttributeValues(user, parseAttributePath('employeeNumber'))).toEqual([]);
  });

  it('gives no container for an extension the resource lacks or a core schema it is not', () => {
    const plain = { schemas: [CORE_USER], userName: 'x' };
    expect(getAttributeContainer(plain, parseAttributePath(`${ENTERPRISE}:employeeNumber`))).toBeUndefined();
    expect(getAttributeContainer(plain, parseAttributePath(`${CORE_GROUP}:displayName`))).toBeUndefined();
    expect(getAttributeValues(plain, parseAttributePath(`${CORE_GROUP}:userName`))).toEqual([]);
    // A resource that does not declare its schemas reads core paths at the top level.
    expect(getAttributeValues({ userName: 'x' }, parseAttributePath(`${CORE_USER}:userName`))).toEqual(['x']);
  });

  it('flattens multi-valued attributes and leaves out null values', () => {
    expect(getAttributeValues(user, parseAttributePath('emails'))).toEqual([
      user.emails[0],
      user.emails[1],
      user.emails[3],
    ]);
    expect(getAttributeValues(user, parseAttributePath('emails.value'))).toEqual([
      'bjensen@example.com',
      'babs@jensen.org',
    ]);
    expect(getAttributeValues(user, parseAttributePath('EMAILS.Type'))).toEqual(['work', 'home', 'other']);
  });

  it('returns a complex single-valued attribute as one value, and its sub-attribute', () => {
    expect(getAttributeValues(user, parseAttributePath('name'))).toEqual([user.name]);
    expect(getAttributeValues(user, parseAttributePath('name.familyName'))).toEqual(['Jensen']);
  });

  it('returns nothing for missing, null and empty attributes, and sub-attributes of simple ones', () => {
    expect(getAttributeValues(user, parseAttributePath('title'))).toEqual([]);
    expect(getAttributeValues(user, parseAttributePath('nickName'))).toEqual([]);
    expect(getAttributeValues(user, parseAttributePath('groups'))).toEqual([]);
    expect(getAttributeValues(user, parseAttributePath('userName.x'))).toEqual([]);
    expect(getAttributeValues(user, parseAttributePath('name.middleName'))).toEqual([]);
  });
});
