import { describe, expect, it } from 'vitest';
import { isAccountDisabled } from '../../../src/datastore/ldap/account-status';
import { attributeCollector, normalizeAttributeValues } from '../../../src/datastore/ldap/attributes';
import type { LdapRawAttribute } from '../../../src/datastore/ldap/transport';

const attribute = (type: string, ...values: (string | Buffer)[]): LdapRawAttribute => ({
  type,
  values: values.map((value) => (typeof value === 'string' ? Buffer.from(value) : value)),
});

describe('normalizeAttributeValues', () => {
  it('gives text as a string, several values as an array', () => {
    expect(normalizeAttributeValues('mail', [Buffer.from('a@x')])).toBe('a@x');
    expect(normalizeAttributeValues('mail', [Buffer.from('a@x'), Buffer.from('b@x')])).toEqual([
      'a@x',
      'b@x',
    ]);
  });

  it('renders objectGUID and objectSid in their canonical forms', () => {
    const guid = Buffer.from('ff19966f868b11d0b42d00c04fc964ff', 'hex');
    expect(normalizeAttributeValues('objectGUID', [guid])).toBe('6f9619ff-8b86-d011-b42d-00c04fc964ff');
    const sid = Buffer.from('010500000000000515000000c7b1fed77c4f54c894581c01f5030000', 'hex');
    expect(normalizeAttributeValues('objectSid', [sid])).toBe('S-1-5-21-3623793095-3360968572-18634900-1013');
  });

  it('keeps bytes that are not UTF-8, and known binary attributes, as Buffers', () => {
    const photo = Buffer.from([0xff, 0xd8, 0xff, 0xe0]);
    expect(normalizeAttributeValues('jpegPhoto', [photo])).toEqual(photo);
    expect(normalizeAttributeValues('description', [Buffer.from('ok'), Buffer.from([0xc3, 0x28])])).toEqual([
      Buffer.from('ok'),
      Buffer.from([0xc3, 0x28]),
    ]);
    expect(normalizeAttributeValues('thumbnailPhoto', [Buffer.from('looks like text')])).toEqual(
      Buffer.from('looks like text'),
    );
    expect(normalizeAttributeValues('badge', [Buffer.from('abc')], new Set(['badge']))).toEqual(
      Buffer.from('abc'),
    );
    expect(normalizeAttributeValues('userCertificate;binary', [Buffer.from('abc')])).toEqual(
      Buffer.from('abc'),
    );
  });

  it('keeps NUL inside text', () => {
    expect(normalizeAttributeValues('description', [Buffer.from('before\0after')])).toBe('before\0after');
  });
});

describe('attributeCollector', () => {
  const raw = [attribute('givenName', 'Ada'), attribute('sn', 'Lovelace'), attribute('entryUUID', 'x')];

  it('keeps the attributes asked for, under the name asked for', () => {
    expect(attributeCollector(['givenname', 'mail'], new Set())(raw)).toEqual({ givenname: 'Ada' });
  });

  it('keeps everything for *', () => {
    expect(attributeCollector(['*', 'SN'], new Set())(raw)).toEqual({
      givenName: 'Ada',
      SN: 'Lovelace',
      entryUUID: 'x',
    });
  });
});

describe('isAccountDisabled', () => {
  it('reads userAccountControl bit 0x2', () => {
    const ad = { algorithm: 'active-directory' } as const;
    expect(isAccountDisabled([attribute('userAccountControl', '514')], ad, 'enabled')).toBe(true);
    expect(isAccountDisabled([attribute('userAccountControl', '512')], ad, 'enabled')).toBe(false);
    expect(isAccountDisabled([attribute('userAccountControl', '66050')], ad, 'enabled')).toBe(true);
    expect(isAccountDisabled([], ad, 'disabled')).toBe(true);
  });

  it('compares a flag attribute without regard to case, with the default status when it is absent', () => {
    const flag = {
      algorithm: 'flag',
      attribute: 'nsAccountLock',
      value: 'true',
      statusWhenMatched: 'disabled',
    } as const;
    expect(isAccountDisabled([attribute('nsaccountlock', 'TRUE')], flag, 'enabled')).toBe(true);
    expect(isAccountDisabled([attribute('nsAccountLock', 'false')], flag, 'enabled')).toBe(false);
    expect(isAccountDisabled([], flag, 'enabled')).toBe(false);
    expect(isAccountDisabled([], flag, 'disabled')).toBe(true);
  });

  it('treats presence as a match when no value is configured', () => {
    const presence = { algorithm: 'flag', attribute: 'pwdAccountLockedTime' } as const;
    expect(isAccountDisabled([attribute('pwdAccountLockedTime', '000001010000Z')], presence, 'enabled')).toBe(
      true,
    );
    expect(isAccountDisabled([], presence, 'enabled')).toBe(false);
  });

  it('supports a value that means enabled', () => {
    const active = {
      algorithm: 'flag',
      attribute: 'employeeStatus',
      value: 'active',
      statusWhenMatched: 'enabled',
    } as const;
    expect(isAccountDisabled([attribute('employeeStatus', 'Active')], active, 'disabled')).toBe(false);
    expect(isAccountDisabled([attribute('employeeStatus', 'terminated')], active, 'enabled')).toBe(true);
  });

  it('never disables with the none algorithm', () => {
    expect(
      isAccountDisabled([attribute('userAccountControl', '514')], { algorithm: 'none' }, 'disabled'),
    ).toBe(false);
  });
});
