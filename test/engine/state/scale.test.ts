/**
 * The state at the size the design targets: 100,000 users. Reports the figures (size, timings)
 * on the console; asserts the properties that make per-operation persistence cheap.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileStateStore } from '../../../src/engine/state/FileStateStore';
import { commitStateChanges } from '../../../src/engine/state/StateStore';
import { plain, sampleState, temporaryDirectory, userEntry } from './fixtures';

const USERS = 100_000;
const GROUPS = 1_000;

let dir: string;
let removeDir: () => Promise<void>;
const stores: FileStateStore[] = [];

beforeAll(async () => {
  ({ dir, remove: removeDir } = await temporaryDirectory());
});

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await removeDir();
});

function timed<T>(run: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const start = performance.now();
  return run().then((result) => ({ result, ms: performance.now() - start }));
}

describe(`FileStateStore with ${USERS.toLocaleString('en')} users`, () => {
  it('saves and loads the whole state, at under 200 bytes per user', async () => {
    const path = join(dir, 'big.json');
    const state = sampleState(USERS, GROUPS);
    const store = new FileStateStore(path);
    stores.push(store);
    const save = await timed(() => store.save(state));
    const bytes = (await stat(path)).size;
    const reader = new FileStateStore(path);
    stores.push(reader);
    const load = await timed(() => reader.load());

    expect(load.result?.users.size).toBe(USERS);
    expect(load.result?.groups.size).toBe(GROUPS);
    expect(load.result?.users.get(`src-${USERS - 1}`)).toEqual(userEntry(USERS - 1));
    expect(plain(load.result)).toEqual(plain(state));
    expect(bytes / USERS).toBeLessThan(200);
    console.info(
      `[state scale] ${USERS} users + ${GROUPS} groups (50 members each): snapshot ${(bytes / 1e6).toFixed(1)} MB (${Math.round(bytes / USERS)} B/user incl. groups), save ${save.ms.toFixed(0)} ms, load ${load.ms.toFixed(0)} ms`,
    );
  });

  it('persists each operation by appending to the journal, never rewriting the snapshot', async () => {
    const path = join(dir, 'ops.json');
    const state = sampleState(USERS);
    const store = new FileStateStore(path);
    stores.push(store);
    await store.save(state);
    const snapshotBefore = await stat(path);
    const journalBefore = (await stat(store.journalPath)).size;

    const operations = 500;
    const sequential = await timed(async () => {
      for (let index = 0; index < operations; index++) {
        await commitStateChanges(store, state, {
          type: 'setUser',
          sourceId: `src-${index}`,
          user: userEntry(index, { hash: `changed-${index}` }),
        });
      }
    });
    const concurrent = await timed(() =>
      Promise.all(
        Array.from({ length: operations }, (_, index) =>
          commitStateChanges(store, state, { type: 'removeUser', sourceId: `src-${USERS - 1 - index}` }),
        ),
      ),
    );

    const snapshotAfter = await stat(path);
    expect(snapshotAfter.ino).toBe(snapshotBefore.ino);
    expect(snapshotAfter.size).toBe(snapshotBefore.size);
    expect(snapshotAfter.mtimeMs).toBe(snapshotBefore.mtimeMs);
    const appended = (await stat(store.journalPath)).size - journalBefore;
    expect(appended / (2 * operations)).toBeLessThan(200);

    const compaction = await timed(() => store.save(state));
    const reloaded = await new FileStateStore(path).load();
    expect(reloaded?.users.size).toBe(USERS - operations);
    expect(reloaded?.users.get('src-0')?.hash).toBe('changed-0');
    expect((await readFile(store.journalPath, 'utf8')).trim().split('\n')).toHaveLength(1);
    console.info(
      `[state scale] per-operation record (append + fsync): ${(sequential.ms / operations).toFixed(2)} ms sequential, ${(concurrent.ms / operations).toFixed(3)} ms when ${operations} run concurrently (grouped fsyncs); ${(appended / (2 * operations)).toFixed(0)} B appended per operation; end-of-cycle compaction ${compaction.ms.toFixed(0)} ms`,
    );
  });
});
