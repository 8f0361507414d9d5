import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LdapFilter } from '../../../../src/datastore/ldap/filter/ast';
import { encodeLdapFilter } from '../../../../src/datastore/ldap/filter/ber';
import { ldapFilter } from '../../../../src/datastore/ldap/filter/build';
import { escapeFilterValue } from '../../../../src/datastore/ldap/filter/escape';
import { formatLdapFilter } from '../../../../src/datastore/ldap/filter/format';
import { parseLdapFilter } from '../../../../src/datastore/ldap/filter/parse';
import { decodeFilter, type SearchFilter } from '../../../support/ldap/limits-filter';

describe('escapeFilterValue', () => {
  it('escapes the characters RFC 4515 reserves, and NUL', () => {
    expect(escapeFilterValue('a*b(c)d\\e\0f')).toBe('a\\2ab\\28c\\29d\\5ce\\00f');
  });

  it('keeps readable text readable, UTF-8 included', () => {
    expect(escapeFilterValue("O'Brien, José 李")).toBe("O'Brien, José 李");
  });

  it('escapes every non-ASCII byte of a Buffer, so bytes that are not UTF-8 go out exactly', () => {
    expect(escapeFilterValue(Buffer.from([0xff, 0x28, 0x00, 0x41, 0xc3]))).toBe('\\ff\\28\\00A\\c3');
  });

  it('turns a filter injection attempt into a literal value', () => {
    const untrusted = '*)(uid=*))(|(uid=*';
    const filter = parseLdapFilter(`(uid=${escapeFilterValue(untrusted)})`);
    expect(filter).toEqual({ type: 'equal', attribute: 'uid', value: Buffer.from(untrusted) });
  });
});

describe('parseLdapFilter', () => {
  it('decodes \\XX escapes into bytes, including NUL and bytes that are not UTF-8', () => {
    expect(parseLdapFilter('(cn=a\\2ab\\00\\ff)')).toEqual({
      type: 'equal',
      attribute: 'cn',
      value: Buffer.from([0x61, 0x2a, 0x62, 0x00, 0xff]),
    });
  });

  it('parses the whole grammar', () => {
    expect(parseLdapFilter('(&(objectClass=user)(!(cn=x))(|(sn>=a)(sn<=b)(sn~=c)))')).toEqual({
      type: 'and',
      filters: [
        { type: 'equal', attribute: 'objectClass', value: Buffer.from('user') },
        { type: 'not', filter: { type: 'equal', attribute: 'cn', value: Buffer.from('x') } },
        {
          type: 'or',
          filters: [
            { type: 'greaterOrEqual', attribute: 'sn', value: Buffer.from('a') },
            { type: 'lessOrEqual', attribute: 'sn', value: Buffer.from('b') },
            { type: 'approx', attribute: 'sn', value: Buffer.from('c') },
          ],
        },
      ],
    });
    expect(parseLdapFilter('mail=*')).toEqual({ type: 'present', attribute: 'mail' });
    expect(parseLdapFilter('(cn=ab*c\\2a*d*)')).toEqual({
      type: 'substrings',
      attribute: 'cn',
      initial: Buffer.from('ab'),
      any: [Buffer.from('c*'), Buffer.from('d')],
    });
    expect(parseLdapFilter('(userAccountControl:1.2.840.113556.1.4.803:=2)')).toEqual({
      type: 'extensible',
      attribute: 'userAccountControl',
      matchingRule: '1.2.840.113556.1.4.803',
      dnAttributes: false,
      value: Buffer.from('2'),
    });
    expect(parseLdapFilter('(ou:dn:=Sales)')).toMatchObject({
      type: 'extensible',
      attribute: 'ou',
      dnAttributes: true,
    });
    expect(parseLdapFilter('(&)')).toEqual({ type: 'and', filters: [] });
  });

  it.each([
    ['(cn=a(b)', /"\(" must be escaped/],
    ['(cn=a', /missing "\)"/],
    ['(cn=a\\zz)', /two hex digits/],
    ['(=a)', /invalid attribute/],
    ['(cn>=a*)', /must be escaped/],
    ['(cn=a**b)', /empty substring/],
    ['(cn=a))', /unexpected text/],
    ['(cn=a\0b)', /NUL must be escaped/],
    ['', /empty/],
  ])('refuses %j', (text, problem) => {
    expect(() => parseLdapFilter(text)).toThrow(problem);
  });
});

/** Filters with arbitrary values (any bytes), for round trips. */
const filterArbitrary: fc.Arbitrary<LdapFilter> = fc.letrec<{ filter: LdapFilter }>((tie) => ({
  filter: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc
      .tuple(fc.constantFrom('cn', 'uid', 'cn;lang-de', '2.5.4.3'), fc.uint8Array({ maxLength: 12 }))
      .map(([attribute, value]): LdapFilter => ({ type: 'equal', attribute, value: Buffer.from(value) })),
    fc.constantFrom('mail', 'objectClass').map((attribute): LdapFilter => ({ type: 'present', attribute })),
    fc
      .tuple(
        fc.uint8Array({ minLength: 1, maxLength: 5 }),
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 4 }), { maxLength: 2 }),
      )
      .map(
        ([initial, any]): LdapFilter => ({
          type: 'substrings',
          attribute: 'cn',
          initial: Buffer.from(initial),
          any: any.map((part) => Buffer.from(part)),
        }),
      ),
    fc.array(tie('filter'), { maxLength: 3 }).map((filters): LdapFilter => ({ type: 'and', filters })),
    fc.array(tie('filter'), { maxLength: 3 }).map((filters): LdapFilter => ({ type: 'or', filters })),
    tie('filter').map((filter): LdapFilter => ({ type: 'not', filter })),
  ),
})).filter;

describe('formatLdapFilter', () => {
  it('renders filters that parse back to the same filter, whatever bytes the values hold', () => {
    fc.assert(
      fc.property(filterArbitrary, (filter) => {
        expect(parseLdapFilter(formatLdapFilter(filter))).toEqual(filter);
      }),
      { numRuns: 300 },
    );
  });

  it('renders values built with the builder escaped', () => {
    const filter = ldapFilter.and(
      ldapFilter.eq('objectClass', 'user'),
      ldapFilter.eq('cn', 'Star * (Paren) )(uid=*'),
    );
    expect(formatLdapFilter(filter)).toBe(
      '(&(objectClass=user)(cn=Star \\2a \\28Paren\\29 \\29\\28uid=\\2a))',
    );
  });
});

/** The same filter in the shape of the test server's independent BER decoder. */
function asDecoded(filter: LdapFilter): SearchFilter {
  switch (filter.type) {
    case 'and':
    case 'or':
      return { kind: filter.type, filters: filter.filters.map(asDecoded) };
    case 'not':
      return { kind: 'not', filter: asDecoded(filter.filter) };
    case 'equal':
      return { kind: 'equality', attribute: filter.attribute, value: filter.value };
    case 'greaterOrEqual':
    case 'lessOrEqual':
    case 'approx':
      return { kind: filter.type, attribute: filter.attribute, value: filter.value };
    case 'present':
      return { kind: 'present', attribute: filter.attribute };
    case 'substrings':
      return {
        kind: 'substrings',
        attribute: filter.attribute,
        ...(filter.initial === undefined ? {} : { initial: filter.initial }),
        any: [...filter.any],
        ...(filter.final === undefined ? {} : { final: filter.final }),
      };
    case 'extensible':
      return {
        kind: 'extensible',
        ...(filter.matchingRule === undefined ? {} : { rule: filter.matchingRule }),
        ...(filter.attribute === undefined ? {} : { attribute: filter.attribute }),
        value: filter.value,
        dnAttributes: filter.dnAttributes,
      };
  }
}

describe('encodeLdapFilter', () => {
  it('encodes RFC 4511 Filter BER that an independent decoder reads back exactly', () => {
    fc.assert(
      fc.property(filterArbitrary, (filter) => {
        expect(decodeFilter(encodeLdapFilter(filter))).toEqual(asDecoded(filter));
      }),
      { numRuns: 300 },
    );
    const extensible = parseLdapFilter(
      '(&(uSNChanged>=42)(memberOf:dn:1.2.840.113556.1.4.1941:=CN=G)(cn~=x)(sn<=y))',
    );
    expect(decodeFilter(encodeLdapFilter(extensible))).toEqual(asDecoded(extensible));
  });

  it('writes binary values as the bytes they are (ldapjs would write them as UTF-8 text)', () => {
    const guid = Buffer.from('ff19966f868b11d0b42d00c04fc964ff', 'hex');
    const encoded = encodeLdapFilter(ldapFilter.eq('objectGUID', guid));
    expect(encoded.subarray(encoded.length - 16)).toEqual(guid);
    expect(encoded[0]).toBe(0xa3);
  });

  it('uses the long length form past 127 bytes', () => {
    const encoded = encodeLdapFilter(ldapFilter.eq('cn', 'x'.repeat(300)));
    expect(encoded.subarray(0, 4)).toEqual(Buffer.from([0xa3, 0x82, 0x01, 0x34]));
    expect(encoded.length).toBe(4 + 0x134);
  });
});
