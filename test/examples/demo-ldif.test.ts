import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseLdif } from '../../src/cli/demo/ldif';
import { DEMO_LDIF_FILE, REPO_ROOT } from '../cli/helpers';

describe('examples/demo-company.ldif', () => {
  it('is what examples/generate-demo-ldif.mjs generates (edit the script, not the file)', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [path.join(REPO_ROOT, 'examples', 'generate-demo-ldif.mjs'), '--stdout'],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    expect(stdout).toBe(await readFile(DEMO_LDIF_FILE, 'utf8'));
  });

  it('is a small company: a few hundred people with managers, nested groups, a few locked accounts', async () => {
    const records = parseLdif(await readFile(DEMO_LDIF_FILE, 'utf8'));
    const people = records.filter((record) =>
      record.attributes.get('objectClass')?.includes('inetOrgPerson'),
    );
    const groups = records.filter((record) => record.attributes.get('objectClass')?.includes('groupOfNames'));
    const dns = new Set(records.map((record) => record.dn.toLowerCase()));

    expect(people.length).toBeGreaterThanOrEqual(200);
    expect(people.length).toBeLessThanOrEqual(400);
    const locked = people.filter((record) => record.attributes.has('pwdAccountLockedTime'));
    expect(locked.length).toBeGreaterThan(0);
    expect(locked.length).toBeLessThan(people.length / 10);
    for (const person of people) {
      for (const name of ['uid', 'cn', 'sn', 'givenName', 'mail', 'title', 'ou', 'telephoneNumber']) {
        expect(person.attributes.get(name), `${person.dn} ${name}`).toHaveLength(1);
      }
    }
    expect(people.filter((record) => !record.attributes.has('manager'))).toHaveLength(1);
    expect(new Set(people.map((record) => record.attributes.get('uid')?.[0])).size).toBe(people.length);
    // Every reference points at an entry of the file; some groups nest others.
    const references = records.flatMap((record) => [
      ...(record.attributes.get('member') ?? []),
      ...(record.attributes.get('manager') ?? []),
    ]);
    expect(references.filter((dn) => !dns.has(dn.toLowerCase()))).toEqual([]);
    const nesting = groups.filter((group) =>
      group.attributes.get('member')?.some((dn) => dn.includes(',ou=groups,')),
    );
    expect(nesting.length).toBeGreaterThan(3);
  });
});
