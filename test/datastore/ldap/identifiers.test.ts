import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatGuid, parseGuid } from '../../../src/datastore/ldap/guid';
import { formatSid, parseSid } from '../../../src/datastore/ldap/sid';

describe('AD GUIDs', () => {
  it('renders the first three groups little-endian, as Windows does', () => {
    // The example GUID of Microsoft's documentation, as stored in objectGUID.
    const bytes = Buffer.from('ff19966f868b11d0b42d00c04fc964ff', 'hex');
    expect(formatGuid(bytes)).toBe('6f9619ff-8b86-d011-b42d-00c04fc964ff');
    expect(parseGuid('{6F9619FF-8B86-D011-B42D-00C04FC964FF}')).toEqual(bytes);
  });

  it('round-trips any 16 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        expect(parseGuid(formatGuid(bytes))).toEqual(Buffer.from(bytes));
      }),
    );
  });

  it('refuses what is not a GUID', () => {
    expect(() => formatGuid(Buffer.alloc(15))).toThrow(RangeError);
    expect(parseGuid('6f9619ff-8b86-d011-b42d')).toBeUndefined();
    expect(parseGuid('not a guid')).toBeUndefined();
  });
});

describe('SIDs', () => {
  it('renders a domain user SID', () => {
    const bytes = Buffer.from('010500000000000515000000c7b1fed77c4f54c894581c01f5030000', 'hex');
    expect(formatSid(bytes)).toBe('S-1-5-21-3623793095-3360968572-18634900-1013');
    expect(parseSid('S-1-5-21-3623793095-3360968572-18634900-1013')).toEqual(bytes);
  });

  it('renders well-known SIDs and refuses malformed bytes', () => {
    expect(formatSid(parseSid('S-1-5-32-544') ?? Buffer.alloc(0))).toBe('S-1-5-32-544');
    expect(formatSid(Buffer.from([1, 2, 0, 0, 0, 0, 0, 5, 1, 0, 0]))).toBeUndefined();
    expect(parseSid('S-1-x')).toBeUndefined();
  });

  it('round-trips any well-formed SID', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 48 - 1 }),
        fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { maxLength: 15 }),
        (authority, subs) => {
          const text = ['S-1', String(authority), ...subs.map(String)].join('-');
          expect(formatSid(parseSid(text) ?? Buffer.alloc(0))).toBe(text);
        },
      ),
    );
  });
});
