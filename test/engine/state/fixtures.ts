import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  nodeStateFileSystem,
  type StateFileHandle,
  type StateFileSystem,
} from '../../../src/engine/state/state-file-system';
import {
  createProvisioningState,
  type GroupState,
  type ProvisioningState,
  type UserState,
} from '../../../src/engine/state/types';

/** A fresh temporary directory and a function that removes it. */
export async function temporaryDirectory(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'aquera-state-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

const BASE_TIME = Date.UTC(2025, 0, 31, 9, 0, 0);

/** A user entry whose fields derive from `index`. */
export function userEntry(index: number, overrides: Partial<UserState> = {}): UserState {
  return {
    targetId: `2819c223-7f76-453a-919d-${String(index).padStart(12, '0')}`,
    userName: `user${index}@example.com`,
    hash: `h${index.toString(36).padStart(15, '0')}`,
    status: index % 10 === 0 ? 'disabled' : 'active',
    createdAt: BASE_TIME + index,
    updatedAt: BASE_TIME + index * 2,
    ...overrides,
  };
}

/** A group entry whose members are the target ids of users `memberIndexes`. */
export function groupEntry(index: number, memberIndexes: readonly number[]): GroupState {
  return {
    targetId: `e9e30dba-f08f-4109-8486-${String(index).padStart(12, '0')}`,
    displayName: `Group ${index}`,
    hash: `g${index.toString(36).padStart(15, '0')}`,
    members: memberIndexes.map((member) => userEntry(member).targetId),
    createdAt: BASE_TIME,
    updatedAt: BASE_TIME + index,
  };
}

/** A state with `users` users (source ids `src-0`, ...) and `groups` groups of up to 50 members. */
export function sampleState(users: number, groups = 0, targetId = 'target-1'): ProvisioningState {
  const state = createProvisioningState({ id: targetId });
  for (let index = 0; index < users; index++) {
    state.users.set(`src-${index}`, userEntry(index));
  }
  for (let index = 0; index < groups; index++) {
    const members: number[] = [];
    for (let member = index; member < users && members.length < 50; member += groups) members.push(member);
    state.groups.set(`grp-${index}`, groupEntry(index, members));
  }
  return state;
}

/** Plain data of a state, for deep equality in assertions. */
export function plain(state: ProvisioningState | undefined): unknown {
  if (state === undefined) return undefined;
  return {
    format: state.format,
    version: state.version,
    target: state.target,
    watermark: state.watermark,
    users: [...state.users.entries()],
    groups: [...state.groups.entries()],
    pendingUsers: [...state.pending.users.entries()],
    pendingGroups: [...state.pending.groups.entries()],
  };
}

/** One file-system call, as recorded by {@link FaultyFileSystem}. */
export interface FileSystemCall {
  readonly op: 'openForWrite' | 'openForAppend' | 'write' | 'sync' | 'truncate' | 'rename' | 'syncDirectory';
  readonly path: string;
}

/**
 * The real file system, with every mutating call recorded and an optional fault: a call for which
 * `failWhen` returns true throws instead of running, as a process killed at that instant would
 * leave the files (the calls before it done, none after it).
 */
export class FaultyFileSystem implements StateFileSystem {
  readonly calls: FileSystemCall[] = [];
  /** Called with each call and its 1-based number; true makes that call fail. */
  failWhen: ((call: FileSystemCall, number: number) => boolean) | undefined;
  /** When true, a failing `write` first writes half of its data (a torn append). */
  tornWrites = false;

  /** Makes the calls numbered `numbers` (1-based, counting from the start) fail. */
  failAt(...numbers: number[]): void {
    this.failWhen = (_call, number) => numbers.includes(number);
  }

  private step(op: FileSystemCall['op'], path: string): void {
    const call = { op, path };
    this.calls.push(call);
    if (this.failWhen?.(call, this.calls.length) === true) {
      throw Object.assign(new Error(`simulated crash at ${op} ${path}`), { code: 'EIO' });
    }
  }

  readText(path: string): Promise<string> {
    return nodeStateFileSystem.readText(path);
  }

  async openForWrite(path: string, mode: number): Promise<StateFileHandle> {
    this.step('openForWrite', path);
    return this.wrap(await nodeStateFileSystem.openForWrite(path, mode), path);
  }

  async openForAppend(path: string, mode: number): Promise<StateFileHandle> {
    this.step('openForAppend', path);
    return this.wrap(await nodeStateFileSystem.openForAppend(path, mode), path);
  }

  async rename(from: string, to: string): Promise<void> {
    this.step('rename', to);
    await nodeStateFileSystem.rename(from, to);
  }

  remove(path: string): Promise<void> {
    return nodeStateFileSystem.remove(path);
  }

  async syncDirectory(path: string): Promise<void> {
    this.step('syncDirectory', path);
    await nodeStateFileSystem.syncDirectory(path);
  }

  count(op: FileSystemCall['op']): number {
    return this.calls.filter((call) => call.op === op).length;
  }

  private wrap(handle: StateFileHandle, path: string): StateFileHandle {
    return {
      write: async (data) => {
        try {
          this.step('write', path);
        } catch (error) {
          if (this.tornWrites) await handle.write(data.slice(0, Math.floor(data.length / 2)));
          throw error;
        }
        await handle.write(data);
      },
      sync: async () => {
        this.step('sync', path);
        await handle.sync();
      },
      truncate: async (length) => {
        this.step('truncate', path);
        await handle.truncate(length);
      },
      close: async () => {
        // Closing is not a step a crash can fall between in a way that matters; it always runs.
        await handle.close();
      },
    };
  }
}
