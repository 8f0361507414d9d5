import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dnEquals,
  escapeDnValue,
  formatDn,
  isDnWithin,
  normalizeDn,
  parseDn,
} from '../../../src/datastore/ldap/dn';

describe('parseDn', () => {
  it('reads escaped separators, hex escapes, quoted values, multi-valued RDNs and #hex values', () => {
    const dn = parseDn('CN=Smith\\, John+uid=js,OU="Sales, EMEA",O=caf\\C3\\A9,DC=#04024869');
    expect(
      dn.map((rdn) =>
        rdn.map((attribute) => [attribute.type, attribute.value.toString('utf8'), attribute.hex]),
      ),
    ).toEqual([
      [
        ['CN', 'Smith, John', false],
        ['uid', 'js', false],
      ],
      [['OU', 'Sales, EMEA', false]],
      [['O', 'café', false]],
      [['DC', Buffer.from('04024869', 'hex').toString('utf8'), true]],
    ]);
  });

  it('keeps escaped leading and trailing spaces and drops unescaped ones', () => {
    const [rdn] = parseDn('cn=\\  padded \\ ,dc=x');
    expect(rdn?.[0]?.value.toString()).toBe('  padded  ');
    expect(parseDn(' cn = a , dc = x ')[0]?.[0]?.value.toString()).toBe('a');
  });

  it('keeps NUL and bytes that are not UTF-8', () => {
    expect(parseDn('uid=nul\\00byte,dc=x')[0]?.[0]?.value).toEqual(Buffer.from('nul\0byte'));
    expect(parseDn('cn=\\ff\\fe,dc=x')[0]?.[0]?.value).toEqual(Buffer.from([0xff, 0xfe]));
  });

  it('parses the empty DN as the root', () => {
    expect(parseDn('')).toEqual([]);
  });

  it.each([['cn'], ['cn=a,'], ['=a'], ['cn=a\\'], ['cn=a\\q'], ['cn=a<b'], ['cn=#abc'], ['cn="open']])(
    'refuses %j',
    (text) => {
      expect(() => parseDn(text)).toThrow(SyntaxError);
    },
  );
});

describe('formatDn and escapeDnValue', () => {
  it('escapes what RFC 4514 requires', () => {
    expect(escapeDnValue('#Hash; <Angle>, "q" + \\ ')).toBe('\\#Hash\\; \\<Angle\\>\\, \\"q\\" \\+ \\\\\\ ');
    expect(escapeDnValue(' lead')).toBe('\\ lead');
    expect(escapeDnValue('nul\0')).toBe('nul\\00');
    expect(escapeDnValue(Buffer.from([0x61, 0xff]))).toBe('a\\ff');
    expect(escapeDnValue('Star * (Paren)')).toBe('Star * (Paren)');
  });

  it('gives back a DN that parses to the same RDNs, whatever the values hold', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.constantFrom('cn', 'ou', 'uid', 'dc'), fc.uint8Array({ minLength: 1, maxLength: 10 })),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
        (parts) => {
          const text = parts.map(([type, value]) => `${type}=${escapeDnValue(value)}`).join(',');
          const parsed = parseDn(text);
          expect(parsed.map((rdn) => [rdn[0]?.type, rdn[0]?.value])).toEqual(
            parts.map(([type, value]) => [type, Buffer.from(value)]),
          );
          expect(formatDn(parsed)).toBe(text);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('normalizeDn', () => {
  it('gives one form for every spelling of the same DN', () => {
    const spellings = [
      'CN=Smith\\, John,OU=Sales,DC=Example,DC=com',
      'cn=smith\\2c john, ou=sales, dc=example, dc=com',
      'cn="Smith, John",ou=SALES,dc=example,dc=COM',
      'cn=Smith\\,  John;ou=Sales;dc=example;dc=com',
      'CN = Smith\\, John , OU = Sales , DC = example , DC = com',
    ];
    const forms = new Set(spellings.map((dn) => normalizeDn(dn)));
    expect(forms.size).toBe(1);
    expect(dnEquals(spellings[0] ?? '', spellings[1] ?? '')).toBe(true);
    expect(dnEquals('cn=a,dc=x', 'cn=b,dc=x')).toBe(false);
  });

  it('sorts the values of a multi-valued RDN', () => {
    expect(normalizeDn('uid=a+cn=b,dc=x')).toBe(normalizeDn('CN=B+UID=A,DC=X'));
  });
});

describe('isDnWithin', () => {
  const base = 'OU=People,DC=example,DC=com';
  it('follows the search scopes', () => {
    expect(isDnWithin('cn=a,ou=people,dc=example,dc=com', base)).toBe(true);
    expect(isDnWithin('cn=a,ou=team,ou=people,dc=example,dc=com', base, 'sub')).toBe(true);
    expect(isDnWithin('cn=a,ou=team,ou=people,dc=example,dc=com', base, 'one')).toBe(false);
    expect(isDnWithin(base, base, 'base')).toBe(true);
    expect(isDnWithin('cn=a,ou=Other,dc=example,dc=com', base)).toBe(false);
    // A suffix that matches as text but not as RDNs.
    expect(isDnWithin('cn=a,ou=Not People,dc=example,dc=com', 'ou=People,dc=example,dc=com')).toBe(false);
    expect(isDnWithin('ou=x\\,ou=People,dc=example,dc=com', base)).toBe(false);
  });
});
