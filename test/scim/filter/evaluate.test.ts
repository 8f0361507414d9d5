import { describe, expect, it } from 'vitest';
import type { ScimProtocolError } from '../../../src/scim/errors/ScimProtocolError';
import type { AttributePath } from '../../../src/scim/filter/ast';
import { defaultCaseExact } from '../../../src/scim/filter/case-exact';
import { type MatchFilterOptions, matchesFilter } from '../../../src/scim/filter/evaluate';
import { parseFilter } from '../../../src/scim/filter/parser';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const bjensen: Record<string, unknown> = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
  id: '2819c223-7f76-453a-919d-413861904646',
  externalId: 'BJ-701984',
  userName: 'Bjensen@Example.com',
  displayName: 'Babs Jensen',
  title: '',
  nickName: null,
  active: true,
  loginCount: 42,
  name: { givenName: 'Barbara', familyName: 'Jensen', middleName: null },
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  phoneNumbers: [],
  x509Certificates: [{ value: 'MIIDQzCCAqygAwIBAgICEAAwDQYJ' }],
  roles: ['Admin', 'auditor'],
  meta: {
    resourceType: 'User',
    created: '2010-01-23T04:56:22Z',
    lastModified: '2011-05-13T04:42:34.500Z',
    location: 'https://example.com/v2/Users/2819c223',
    version: 'W/"3694e05e9dff591"',
  },
  [ENTERPRISE]: { employeeNumber: '701984', manager: { value: '26118915', $ref: '../Users/26118915' } },
};

function matches(
  text: string,
  resource: Record<string, unknown> = bjensen,
  options?: MatchFilterOptions,
): boolean {
  return matchesFilter(parseFilter(text), resource, options);
}

function evaluationError(text: string, resource: Record<string, unknown> = bjensen): ScimProtocolError {
  try {
    matches(text, resource);
  } catch (error) {
    return error as ScimProtocolError;
  }
  throw new Error(`${text} did not throw`);
}

describe('matchesFilter: operators', () => {
  it.each([
    ['userName eq "bjensen@example.com"', true],
    ['userName eq "bjensen"', false],
    ['userName ne "bjensen"', true],
    ['userName ne "BJENSEN@example.com"', false],
    ['userName co "JENSEN@"', true],
    ['userName co "jensen@x"', false],
    ['userName sw "bjen"', true],
    ['userName sw "jensen"', false],
    ['userName ew "EXAMPLE.COM"', true],
    ['userName ew "example"', false],
    ['userName gt "bjensen"', true],
    ['userName gt "c"', false],
    ['userName ge "bjensen@example.com"', true],
    ['userName lt "C"', true],
    ['userName le "BJENSEN@EXAMPLE.COM"', true],
    ['userName le "a"', false],
    ['loginCount eq 42', true],
    ['loginCount gt 41.5', true],
    ['loginCount ge 42', true],
    ['loginCount lt 42', false],
    ['loginCount le 42', true],
    ['loginCount eq "42"', false],
    ['active eq true', true],
    ['active eq false', false],
    ['active ne false', true],
    ['active eq "true"', false],
  ])('%s -> %s', (text, expected) => {
    expect(matches(text)).toBe(expected);
  });

  it('compares dateTime strings by instant', () => {
    expect(matches('meta.lastModified gt "2011-05-13T04:42:34Z"')).toBe(true);
    expect(matches('meta.lastModified lt "2011-05-13T06:42:35+02:00"')).toBe(true);
    expect(matches('meta.lastModified ge "2011-05-13T06:42:34.500+02:00"')).toBe(true);
    expect(matches('meta.lastModified le "2011-05-13T06:42:34.499+02:00"')).toBe(false);
    // Lexicographically "2011-05-13T04:42:34.500Z" < "2011-05-13T05:00:00+02:00"; by instant it is after.
    expect(matches('meta.lastModified gt "2011-05-13T05:00:00+02:00"')).toBe(true);
  });

  it('refuses to order booleans or null, and co/sw/ew on anything but strings', () => {
    for (const text of [
      'active gt true',
      'loginCount le false',
      'title lt null',
      'title co 3',
      'title sw true',
    ]) {
      const error = evaluationError(text);
      expect(error).toMatchObject({ name: 'ScimProtocolError', scimType: 'invalidFilter' });
    }
    // The check does not depend on data or on short-circuiting.
    expect(evaluationError('id pr or active ge true', {}).scimType).toBe('invalidFilter');
    // A boolean attribute value cannot be ordered either.
    expect(evaluationError('active gt "a"').message).toContain('active gt "a"');
  });
});

describe('matchesFilter: presence, missing values and null', () => {
  it.each([
    ['userName pr', true],
    ['title pr', false],
    ['nickName pr', false],
    ['phoneNumbers pr', false],
    ['costCenter pr', false],
    ['name pr', true],
    ['name.middleName pr', false],
    ['emails pr', true],
    ['emails.type pr', true],
    [`${ENTERPRISE}:manager.value pr`, true],
  ])('%s -> %s', (text, expected) => {
    expect(matches(text)).toBe(expected);
  });

  it('treats an object with nothing present as not present', () => {
    expect(matches('name pr', { name: { givenName: null, familyName: '' } })).toBe(false);
  });

  it('matches ne, and only ne, on a missing attribute', () => {
    expect(matches('costCenter ne "x"')).toBe(true);
    expect(matches('costCenter eq "x"')).toBe(false);
    expect(matches('nickName ne "x"')).toBe(true);
    expect(matches('costCenter co "x"')).toBe(false);
    expect(matches('costCenter gt "x"')).toBe(false);
  });

  it('reads eq null as "has no value" and ne null as "has a value"', () => {
    expect(matches('nickName eq null')).toBe(true);
    expect(matches('costCenter eq null')).toBe(true);
    expect(matches('userName eq null')).toBe(false);
    expect(matches('userName ne null')).toBe(true);
    expect(matches('phoneNumbers ne null')).toBe(false);
  });
});

describe('matchesFilter: logic', () => {
  it('binds and tighter than or, and honours grouping and not', () => {
    // true or (false and false) = true; (true or false) and false = false
    expect(matches('active eq true or userName eq "x" and title pr')).toBe(true);
    expect(matches('(active eq true or userName eq "x") and title pr')).toBe(false);
    expect(matches('not (title pr)')).toBe(true);
    expect(matches('not (userName pr) or not (active eq true)')).toBe(false);
    expect(matches('NOT (active eq false) AND loginCount GT 1')).toBe(true);
  });

  it('evaluates a long chain of or without exhausting the stack', () => {
    const ids = Array.from({ length: 50_000 }, (_, i) => `id eq "${i}"`);
    const anyId = parseFilter(ids.join(' or '));
    expect(matchesFilter(anyId, { id: '49999' })).toBe(true);
    expect(matchesFilter(anyId, { id: 'nope' })).toBe(false);
    expect(matchesFilter({ type: 'not', filter: anyId }, { id: 'nope' })).toBe(true);
  });
});

describe('matchesFilter: multi-valued, complex and value paths', () => {
  it('matches a multi-valued attribute when any value matches', () => {
    expect(matches('emails.type eq "home"')).toBe(true);
    expect(matches('emails.type eq "other"')).toBe(false);
    expect(matches('roles eq "AUDITOR"')).toBe(true);
    expect(matches('roles sw "adm"')).toBe(true);
    // Any value that is not "Admin" makes ne true.
    expect(matches('roles ne "admin"')).toBe(true);
    expect(matches('roles ne "x"', { roles: ['x'] })).toBe(false);
  });

  it('compares the value sub-attribute of a complex attribute compared without one', () => {
    expect(matches('emails eq "babs@jensen.org"')).toBe(true);
    expect(matches('emails co "example.com"')).toBe(true);
    expect(matches('emails eq "work"')).toBe(false);
    expect(matches('name eq "Barbara"')).toBe(false);
  });

  it('filters each value of a value path with its own sub-attributes', () => {
    expect(matches('emails[type eq "work" and value co "@example.com"]')).toBe(true);
    // Both conditions must hold for the same value, not across values.
    expect(matches('emails[type eq "home" and value co "@example.com"]')).toBe(false);
    expect(matches('emails[type eq "home" or primary eq true]')).toBe(true);
    expect(matches('emails[not (primary eq true)]')).toBe(true);
    expect(matches('emails[primary pr] and emails[not (primary pr)]')).toBe(true);
    expect(matches('phoneNumbers[type pr]')).toBe(false);
    expect(matches('nothing[value pr]')).toBe(false);
  });

  it('sees simple values inside a value path as { value }', () => {
    expect(matches('roles[value eq "admin"]')).toBe(true);
    expect(matches('roles[value sw "x"]')).toBe(false);
  });
});

describe('matchesFilter: attribute names and URN paths', () => {
  it('matches attribute names case-insensitively on both sides', () => {
    expect(matches('USERNAME eq "bjensen@example.com"')).toBe(true);
    expect(matches('Emails[TYPE eq "work"]')).toBe(true);
    expect(matches('userName eq "x"', { USERNAME: 'X' })).toBe(true);
  });

  it('reads extension attributes through URN-qualified paths', () => {
    expect(matches(`${ENTERPRISE}:employeeNumber eq "701984"`)).toBe(true);
    expect(matches(`${ENTERPRISE.toUpperCase()}:MANAGER.value eq "26118915"`)).toBe(true);
    expect(matches('employeeNumber eq "701984"')).toBe(false);
    expect(matches('urn:ietf:params:scim:schemas:core:2.0:User:userName sw "bjensen"')).toBe(true);
    expect(matches('urn:ietf:params:scim:schemas:core:2.0:Group:displayName pr')).toBe(false);
  });
});

describe('matchesFilter: caseExact', () => {
  it('compares id, externalId, $ref, meta.location, meta.version and x509Certificates.value exactly', () => {
    expect(matches('id eq "2819C223-7F76-453A-919D-413861904646"')).toBe(false);
    expect(matches('id eq "2819c223-7f76-453a-919d-413861904646"')).toBe(true);
    expect(matches('externalId eq "bj-701984"')).toBe(false);
    expect(matches('externalId sw "BJ-"')).toBe(true);
    expect(matches(`${ENTERPRISE}:manager.$ref ew "users/26118915"`)).toBe(false);
    expect(matches('meta.location co "/users/"')).toBe(false);
    expect(matches('meta.version eq "w/\\"3694e05e9dff591\\""')).toBe(false);
    expect(matches('meta.version eq "W/\\"3694e05e9dff591\\""')).toBe(true);
    expect(matches('meta.resourceType eq "user"')).toBe(true);
    expect(matches('x509Certificates.value sw "miid"')).toBe(false);
    expect(matches('x509Certificates sw "miid"')).toBe(false);
    expect(matches('x509Certificates[value sw "miid"]')).toBe(false);
    expect(matches('x509Certificates[value sw "MIID"]')).toBe(true);
  });

  it('compares userName and displayName without case', () => {
    expect(matches('displayName eq "BABS JENSEN"')).toBe(true);
    expect(matches('userName eq "BJENSEN@EXAMPLE.COM"')).toBe(true);
  });

  it('uses a caseExact resolver given in options, with full paths', () => {
    const asked: AttributePath[] = [];
    const caseExact = (path: AttributePath): boolean => {
      asked.push(path);
      return path.attr.toLowerCase() === 'emails' || path.attr === 'userName';
    };
    expect(matches('userName eq "bjensen@example.com"', bjensen, { caseExact })).toBe(false);
    expect(matches('emails[type eq "WORK"]', bjensen, { caseExact })).toBe(false);
    expect(matches('emails co "EXAMPLE"', bjensen, { caseExact })).toBe(false);
    expect(matches('displayName eq "babs jensen"', bjensen, { caseExact })).toBe(true);
    expect(asked).toContainEqual({ attr: 'emails', subAttr: 'type' });
    expect(asked).toContainEqual({ attr: 'emails', subAttr: 'value' });
  });

  it('resolves caseExact for a single value evaluated within its attribute', () => {
    const member = { value: 'ABC', display: 'x' };
    const exactMembers = (path: AttributePath): boolean =>
      path.attr === 'members' && path.subAttr === 'value';
    const valueFilter = parseFilter('value eq "abc"');
    expect(matchesFilter(valueFilter, member)).toBe(true);
    expect(matchesFilter(valueFilter, member, { caseExact: exactMembers, within: { attr: 'members' } })).toBe(
      false,
    );
    expect(matchesFilter(valueFilter, member, { caseExact: exactMembers })).toBe(true);
  });
});

describe('defaultCaseExact', () => {
  it.each([
    [{ attr: 'id' }, true],
    [{ attr: 'ID' }, true],
    [{ attr: 'externalId' }, true],
    [{ schema: 'urn:ietf:params:scim:schemas:core:2.0:User', attr: 'id' }, true],
    [{ schema: ENTERPRISE, attr: 'id' }, false],
    [{ attr: 'members', subAttr: '$ref' }, true],
    [{ schema: ENTERPRISE, attr: 'manager', subAttr: '$ref' }, true],
    [{ attr: 'meta', subAttr: 'location' }, true],
    [{ attr: 'meta', subAttr: 'version' }, true],
    [{ attr: 'meta', subAttr: 'resourceType' }, false],
    [{ attr: 'x509Certificates', subAttr: 'value' }, true],
    [{ attr: 'x509Certificates', subAttr: 'display' }, false],
    [{ attr: 'password' }, true],
    [{ attr: 'userName' }, false],
    [{ attr: 'displayName' }, false],
    [{ attr: 'members', subAttr: 'value' }, false],
    [{ attr: 'emails', subAttr: 'id' }, false],
  ] satisfies [AttributePath, boolean][])('%j -> %s', (path, expected) => {
    expect(defaultCaseExact(path)).toBe(expected);
  });
});
