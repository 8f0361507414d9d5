/**
 * The custom adapter of examples/csv-datastore.mjs (docs/custom-adapter.md), run through the same
 * contract suite as the shipped adapters, over CSV files this test rewrites as an HR export would.
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatastoreAdapter } from '../../src/datastore/types';
import { REPO_ROOT, scratchFolder } from '../cli/helpers';
import { type ContractSource, describeDatastoreContract } from '../datastore/contract';

interface CsvDatastoreOptions {
  readonly usersFile: string;
  readonly groupsFile?: string;
  readonly inScope?: (row: Record<string, string>) => boolean;
}
type CsvDatastoreClass = new (options: CsvDatastoreOptions) => DatastoreAdapter;

interface UserRow {
  id: string;
  status: 'active' | 'disabled';
  userName: string;
  title: string;
  department: string;
}
interface GroupRow {
  id: string;
  name: string;
  members: string[];
}

/** Quotes a CSV field when it needs it. */
function field(value: string): string {
  return /[",]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

let CsvDatastore: CsvDatastoreClass;
let dir: string;
let removeDir: () => Promise<void>;

beforeAll(async () => {
  // A plain JavaScript example: loaded by path, typed here by what the test needs of it.
  const modulePath = path.join(REPO_ROOT, 'examples', 'csv-datastore.mjs');
  const loaded = (await import(/* @vite-ignore */ modulePath)) as { CsvDatastore: CsvDatastoreClass };
  CsvDatastore = loaded.CsvDatastore;
  ({ dir, remove: removeDir } = await scratchFolder('csv'));
});

afterAll(async () => {
  await removeDir?.();
});

/** Two CSV files and a contract source that edits them. */
function csvSubject(): { adapter: DatastoreAdapter; source: ContractSource } {
  const name = randomUUID();
  const usersFile = path.join(dir, `${name}-users.csv`);
  const groupsFile = path.join(dir, `${name}-groups.csv`);
  const users: UserRow[] = [];
  const groups: GroupRow[] = [];
  let counter = 0;
  const save = async () => {
    await writeFile(
      usersFile,
      `id,status,userName,title,department\n${users
        .map((row) => [row.id, row.status, row.userName, row.title, row.department].map(field).join(','))
        .join('\n')}\n`,
    );
    await writeFile(
      groupsFile,
      `id,name,members\n${groups.map((row) => [row.id, row.name, row.members.join(' ')].map(field).join(',')).join('\n')}\n`,
    );
  };
  const user = (handle: string): UserRow => {
    const found = users.find((row) => row.userName === handle);
    if (found === undefined) throw new Error(`no user ${handle}`);
    return found;
  };
  const group = (groupName: string): GroupRow => {
    const found = groups.find((row) => row.name === groupName);
    if (found === undefined) throw new Error(`no group ${groupName}`);
    return found;
  };
  const source: ContractSource = {
    handleAttribute: 'userName',
    modifiableAttribute: 'title',
    attributes: ['userName', 'title'],
    async addUser(handle, options) {
      counter += 1;
      users.push({
        id: `E${counter}`,
        status: options?.disabled === true ? 'disabled' : 'active',
        userName: handle,
        title: options?.value ?? 'Engineer, "Platform"',
        department: 'Engineering',
      });
      await save();
    },
    async modifyUser(handle, value) {
      user(handle).title = value;
      await save();
    },
    async disableUser(handle) {
      user(handle).status = 'disabled';
      await save();
    },
    async enableUser(handle) {
      user(handle).status = 'active';
      await save();
    },
    async renameUser(handle, newHandle) {
      user(handle).userName = newHandle;
      await save();
    },
    async moveUserOutOfScope(handle) {
      user(handle).department = 'Outside';
      await save();
    },
    async deleteUser(handle) {
      users.splice(users.indexOf(user(handle)), 1);
      await save();
    },
    async addGroup(groupName, members) {
      counter += 1;
      groups.push({ id: `G${counter}`, name: groupName, members: members.map((handle) => user(handle).id) });
      await save();
    },
    async addMember(groupName, handle) {
      group(groupName).members.push(user(handle).id);
      await save();
    },
    async removeMember(groupName, handle) {
      const row = group(groupName);
      row.members = row.members.filter((id) => id !== user(handle).id);
      await save();
    },
    async deleteGroup(groupName) {
      groups.splice(groups.indexOf(group(groupName)), 1);
      await save();
    },
  };
  const adapter = new CsvDatastore({ usersFile, groupsFile, inScope: (row) => row.department !== 'Outside' });
  return { adapter, source };
}

describe('examples/csv-datastore.mjs', () => {
  let subject: { adapter: DatastoreAdapter; source: ContractSource };
  beforeAll(async () => {
    subject = csvSubject();
    await subject.source.addUser('seed');
  });

  describeDatastoreContract('CsvDatastore', () => ({ ...subject, exactChanges: true }));

  it('reads quoted fields, and refuses a file without the required columns', async () => {
    const users = [];
    for await (const user of subject.adapter.users({ attributes: ['title'] })) users.push(user);
    expect(users.find((user) => user.id === 'E1')?.attributes).toEqual({ title: 'Engineer, "Platform"' });

    const broken = path.join(dir, 'broken.csv');
    await writeFile(broken, 'userName,title\nada,Engineer\n');
    const adapter = new CsvDatastore({ usersFile: broken });
    const read = async () => {
      for await (const _ of adapter.users());
    };
    await expect(read()).rejects.toThrow(/the header has no id, status column/);
  });
});
