/**
 * The example requests of RFC 7644 section 3.5.2, applied to the example resources of RFC 7643
 * section 8 (test/fixtures/rfc7643).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isScimProtocolError } from '../../../src/scim/errors/ScimProtocolError';
import type { PatchOp } from '../../../src/scim/models/patch-op';
import { applyPatch } from '../../../src/scim/patch';
import { SCHEMAS } from '../../../src/scim/schemas';

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../../fixtures/rfc7643/${name}`, import.meta.url), 'utf8'));
}

function patchOf(...Operations: PatchOp['Operations']): PatchOp {
  return { schemas: [SCHEMAS.PatchOp], Operations };
}

const BABS = {
  display: 'Babs Jensen',
  $ref: 'https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646',
  value: '2819c223-7f76-453a-919d-413861904646',
};
const JAMES = {
  display: 'James Smith',
  $ref: 'https://example.com/v2/Users/08e1d05d-121c-4561-8b96-473d93df9210',
  value: '08e1d05d-121c-4561-8b96-473d93df9210',
};
const MANDY_ID = '902c246b-6245-4190-8e05-00816be7344a';

function memberValues(resource: Record<string, unknown>): unknown[] {
  const members = resource.members;
  return Array.isArray(members) ? members.map((member: { value: unknown }) => member.value) : [];
}

function emails(resource: Record<string, unknown>): Array<Record<string, unknown>> {
  return resource.emails as Array<Record<string, unknown>>;
}

function addresses(resource: Record<string, unknown>): Array<Record<string, unknown>> {
  return resource.addresses as Array<Record<string, unknown>>;
}

describe('RFC 7644 section 3.5.2.1 (add)', () => {
  it('adds a member to a group', () => {
    const group = fixture('8.4-group.json');
    const patched = applyPatch(group, patchOf({ op: 'add', path: 'members', value: [JAMES] }));
    expect(memberValues(patched)).toEqual([BABS.value, MANDY_ID, JAMES.value]);
    expect((patched.members as unknown[])[2]).toEqual(JAMES);
  });

  it('does not add a member the group already has (no duplicate)', () => {
    const group = fixture('8.4-group.json');
    const patched = applyPatch(group, patchOf({ op: 'add', path: 'members', value: [BABS] }));
    expect(memberValues(patched)).toEqual([BABS.value, MANDY_ID]);
  });

  it('adds attributes without a path: an email is appended and nickname replaces nickName', () => {
    const user = fixture('8.2-full-user.json');
    const patched = applyPatch(
      user,
      patchOf({
        op: 'add',
        value: {
          emails: [
            { value: 'babs@jensen.org', type: 'home' },
            { value: 'b@x.org', type: 'other' },
          ],
          nickname: 'Babsy',
        },
      }),
    );
    // babs@jensen.org (home) is already there; only the new one is appended.
    expect(emails(patched).map((email) => email.value)).toEqual([
      'bjensen@example.com',
      'babs@jensen.org',
      'b@x.org',
    ]);
    expect(patched.nickName).toBe('Babsy');
    expect(patched).not.toHaveProperty('nickname');
  });
});

describe('RFC 7644 section 3.5.2.2 (remove)', () => {
  it('removes one member with a value filter', () => {
    const group = fixture('8.4-group.json');
    const patched = applyPatch(
      group,
      patchOf({ op: 'remove', path: 'members[value eq "2819c223-7f76-453a-919d-413861904646"]' }),
    );
    expect(memberValues(patched)).toEqual([MANDY_ID]);
  });

  it('removes all members', () => {
    const group = fixture('8.4-group.json');
    const patched = applyPatch(group, patchOf({ op: 'remove', path: 'members' }));
    expect(patched).not.toHaveProperty('members');
    expect(patched.displayName).toBe('Tour Guides');
  });

  it('removes the emails matching a complex filter', () => {
    const user = fixture('8.2-full-user.json');
    const withWork = applyPatch(
      user,
      patchOf({ op: 'add', path: 'emails', value: [{ value: 'b@other.com', type: 'work' }] }),
    );
    const patched = applyPatch(
      withWork,
      patchOf({ op: 'remove', path: 'emails[type eq "work" and value ew "example.com"]' }),
    );
    expect(emails(patched).map((email) => email.value)).toEqual(['babs@jensen.org', 'b@other.com']);
  });

  it('replaces all members with remove then add in one request', () => {
    const group = fixture('8.4-group.json');
    const patched = applyPatch(
      group,
      patchOf({ op: 'remove', path: 'members' }, { op: 'add', path: 'members', value: [BABS, JAMES] }),
    );
    expect(patched.members).toEqual([BABS, JAMES]);
  });

  it('answers noTarget when remove has no path', () => {
    const group = fixture('8.4-group.json');
    expect(() => applyPatch(group, patchOf({ op: 'remove' }))).toThrow(
      expect.objectContaining({ name: 'ScimProtocolError', scimType: 'noTarget', status: 400 }),
    );
  });
});

describe('RFC 7644 section 3.5.2.3 (replace)', () => {
  it('replaces all members', () => {
    const group = fixture('8.4-group.json');
    const patched = applyPatch(group, patchOf({ op: 'replace', path: 'members', value: [BABS, JAMES] }));
    expect(patched.members).toEqual([BABS, JAMES]);
  });

  it('replaces the work address record', () => {
    const user = fixture('8.2-full-user.json');
    const work = {
      type: 'work',
      streetAddress: '911 Universal City Plaza',
      locality: 'Hollywood',
      region: 'CA',
      postalCode: '91608',
      country: 'US',
      formatted: '911 Universal City Plaza\nHollywood, CA 91608 US',
      primary: true,
    };
    const patched = applyPatch(
      user,
      patchOf({ op: 'replace', path: 'addresses[type eq "work"]', value: work }),
    );
    expect(addresses(patched)).toHaveLength(2);
    expect(addresses(patched)[0]).toEqual(work);
    expect(addresses(patched)[1]?.streetAddress).toBe('456 Hollywood Blvd');
  });

  it('replaces the street address of the work address only', () => {
    const user = fixture('8.2-full-user.json');
    const patched = applyPatch(
      user,
      patchOf({ op: 'replace', path: 'addresses[type eq "work"].streetAddress', value: '1010 Broadway Ave' }),
    );
    expect(addresses(patched)[0]).toEqual({ ...addresses(user)[0], streetAddress: '1010 Broadway Ave' });
    expect(addresses(patched)[1]).toEqual(addresses(user)[1]);
  });

  it('replaces several attributes without a path', () => {
    const user = fixture('8.2-full-user.json');
    const newEmails = [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ];
    const patched = applyPatch(
      user,
      patchOf({ op: 'replace', value: { emails: newEmails, nickname: 'Babs' } }),
    );
    expect(patched.emails).toEqual(newEmails);
    expect(patched.nickName).toBe('Babs');
  });

  it('answers noTarget when a value filter matches nothing', () => {
    const user = fixture('8.2-full-user.json');
    let caught: unknown;
    try {
      applyPatch(
        user,
        patchOf({ op: 'replace', path: 'addresses[type eq "other"].streetAddress', value: 'x' }),
      );
    } catch (error) {
      caught = error;
    }
    expect(isScimProtocolError(caught) && caught.scimType).toBe('noTarget');
  });

  it('treats replace of a missing attribute as add', () => {
    const group = fixture('8.4-group.json');
    const patched = applyPatch(group, patchOf({ op: 'replace', path: 'externalId', value: 'ext-1' }));
    expect(patched.externalId).toBe('ext-1');
  });
});
