import { appendFile, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyStateChange, type StateChange } from '../../../src/engine/state/changes';
import { FileStateStore } from '../../../src/engine/state/FileStateStore';
import { commitStateChanges } from '../../../src/engine/state/StateStore';
import { isStateStoreError, type StateStoreError } from '../../../src/engine/state/StateStoreError';
import { cloneProvisioningState, createProvisioningState } from '../../../src/engine/state/types';
import { FaultyFileSystem, plain, sampleState, temporaryDirectory, userEntry } from './fixtures';

let dir: string;
let removeDir: () => Promise<void>;
let path: string;
const opened: FileStateStore[] = [];

/** A store that is closed after the test (it keeps its journal open between records). */
function openStore(file: string, options?: ConstructorParameters<typeof FileStateStore>[1]): FileStateStore {
  const store = new FileStateStore(file, options);
  opened.push(store);
  return store;
}

beforeEach(async () => {
  ({ dir, remove: removeDir } = await temporaryDirectory());
  path = join(dir, 'state.json');
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
  await removeDir();
});

async function refusal(promise: Promise<unknown>): Promise<StateStoreError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isStateStoreError(error)) throw new Error(`expected a StateStoreError, got ${String(error)}`);
  return error;
}

async function snapshotOf(file: string): Promise<Buffer> {
  return readFile(file);
}

describe('FileStateStore: round trip', () => {
  it('loads nothing from an empty directory, then what was saved', async () => {
    const store = openStore(path);
    expect(await store.load()).toBeUndefined();
    const state = sampleState(25, 3);
    state.watermark = { usn: '123456', invocationId: 'a4f1' };
    state.pending.users.set('src-99', { matchKey: 'new.user@example.com', startedAt: 1_700_000_000_000 });
    await store.save(state);
    await store.close();

    const loaded = await openStore(path).load();
    expect(plain(loaded)).toEqual(plain(state));
  });

  it('keeps source ids that are JavaScript property names, such as __proto__ and constructor', async () => {
    const state = createProvisioningState({ id: 't' });
    state.users.set('__proto__', userEntry(1));
    state.users.set('constructor', userEntry(2));
    const store = openStore(path);
    await store.save(state);
    const loaded = await openStore(path).load();
    expect(loaded?.users.get('__proto__')).toEqual(userEntry(1));
    expect(loaded?.users.get('constructor')).toEqual(userEntry(2));
    expect(loaded?.users.size).toBe(2);
  });

  it('creates the snapshot and the journal with mode 0600', async () => {
    const store = openStore(path);
    await store.save(sampleState(2));
    await store.record({ type: 'removeUser', sourceId: 'src-0' });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(store.journalPath)).mode & 0o777).toBe(0o600);
  });

  it('replays recorded changes on load, then compacts them into the snapshot', async () => {
    const state = sampleState(5, 1);
    const store = openStore(path);
    await store.save(state);
    const changes: StateChange[] = [
      { type: 'beginCreate', kind: 'user', sourceId: 'src-5', matchKey: 'user5@example.com', at: 10 },
      { type: 'setUser', sourceId: 'src-5', user: userEntry(5) },
      { type: 'removeUser', sourceId: 'src-1' },
      { type: 'addGroupMembers', sourceId: 'grp-0', targetIds: [userEntry(5).targetId], at: 11 },
      { type: 'setWatermark', watermark: { usn: 42 } },
    ];
    for (const change of changes) await commitStateChanges(store, state, change);
    await store.close();

    const journalBefore = await readFile(`${path}.journal`, 'utf8');
    expect(journalBefore.trim().split('\n')).toHaveLength(1 + changes.length);

    const loaded = await openStore(path).load();
    expect(plain(loaded)).toEqual(plain(state));
    expect(loaded?.users.has('src-1')).toBe(false);
    expect(loaded?.pending.users.size).toBe(0);
    // Compacted: the journal holds only its header again and the snapshot holds everything.
    expect((await readFile(`${path}.journal`, 'utf8')).trim().split('\n')).toHaveLength(1);
    expect(plain(await openStore(path).load())).toEqual(plain(state));
  });

  it('keeps an unresolved create intent across a restart, so the engine can look the object up', async () => {
    const store = openStore(path);
    const state = sampleState(1);
    await store.save(state);
    await store.record({ type: 'beginCreate', kind: 'group', sourceId: 'grp-7', matchKey: 'Sales', at: 5 });
    // The process dies here: the POST may or may not have reached the target.
    const loaded = await openStore(path).load();
    expect(loaded?.pending.groups.get('grp-7')).toEqual({ matchKey: 'Sales', startedAt: 5 });
  });
});

describe('FileStateStore: refusing what it did not write', () => {
  it('refuses a truncated snapshot, leaves it byte-identical, and will not save over it', async () => {
    const store = openStore(path);
    await store.save(sampleState(50));
    const full = await snapshotOf(path);
    await writeFile(path, full.subarray(0, Math.floor(full.length / 2)));
    const damaged = await snapshotOf(path);

    const error = await refusal(openStore(path).load());
    expect(error.code).toBe('corrupt');
    expect(error.path).toBe(path);
    expect(error.message).toContain('left untouched');
    const fresh = openStore(path);
    expect((await refusal(fresh.save(sampleState(1)))).code).toBe('corrupt');
    expect((await refusal(fresh.record({ type: 'removeUser', sourceId: 'x' }))).code).toBe('notOpen');
    expect(await snapshotOf(path)).toEqual(damaged);
  });

  it('refuses a snapshot that is not JSON at all', async () => {
    await writeFile(path, 'user1,target1\nuser2,target2\n');
    expect((await refusal(openStore(path).load())).code).toBe('corrupt');
  });

  it('refuses a foreign JSON file and leaves it alone', async () => {
    const foreign = `${JSON.stringify({ name: 'my-app', version: '1.0.0', dependencies: {} }, null, 2)}\n`;
    await writeFile(path, foreign);
    const store = openStore(path);
    const error = await refusal(store.load());
    expect(error.code).toBe('foreign');
    expect(error.message).toContain('not a state file');
    expect((await refusal(store.save(sampleState(3)))).code).toBe('foreign');
    expect(await readFile(path, 'utf8')).toBe(foreign);
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it('refuses a snapshot of an unknown layout version and leaves it byte-identical', async () => {
    const store = openStore(path);
    await store.save(sampleState(3));
    await store.close();
    const text = (await readFile(path, 'utf8')).replace('"version":1,', '"version":2,');
    await writeFile(path, text);
    const error = await refusal(openStore(path).load());
    expect(error.code).toBe('unsupportedVersion');
    expect(error.message).toContain('version 2');
    expect((await refusal(openStore(path).save(sampleState(1)))).code).toBe('unsupportedVersion');
    expect(await readFile(path, 'utf8')).toBe(text);
  });

  it('refuses a snapshot whose entries have the wrong shape', async () => {
    const store = openStore(path);
    await store.save(sampleState(3));
    const text = (await readFile(path, 'utf8')).replace('"active"', '"enabled"');
    await writeFile(path, text);
    const error = await refusal(openStore(path).load());
    expect(error.code).toBe('corrupt');
    expect(error.message).toMatch(/users\[\d+\]/);
  });

  it('refuses a foreign journal next to a valid snapshot and leaves both alone', async () => {
    const store = openStore(path);
    await store.save(sampleState(3));
    await store.close();
    await writeFile(`${path}.journal`, '{"hello":"world"}\n');
    const snapshot = await snapshotOf(path);
    expect((await refusal(openStore(path).load())).code).toBe('foreign');
    expect(await snapshotOf(path)).toEqual(snapshot);
    expect(await readFile(`${path}.journal`, 'utf8')).toBe('{"hello":"world"}\n');
  });

  it('refuses a journal without its snapshot', async () => {
    const store = openStore(path);
    await store.save(sampleState(1));
    await store.close();
    await writeFile(path, '');
    expect((await refusal(openStore(path).load())).code).toBe('corrupt');
    await rm(path);
    const error = await refusal(openStore(path).load());
    expect(error.code).toBe('corrupt');
    expect(error.message).toContain('snapshot');
  });

  it('refuses a journal that follows a newer snapshot than the one on disk (a restored old copy)', async () => {
    const store = openStore(path);
    await store.save(sampleState(2));
    const older = await snapshotOf(path);
    await store.save(sampleState(3));
    await store.record({ type: 'removeUser', sourceId: 'src-0' });
    await store.close();
    await writeFile(path, older);
    const journal = await readFile(`${path}.journal`);
    expect((await refusal(openStore(path).load())).code).toBe('corrupt');
    expect(await readFile(`${path}.journal`)).toEqual(journal);
  });
});

describe('FileStateStore: the journal after a crash', () => {
  it('drops a torn last line (a cut-off append) and only that line', async () => {
    const state = sampleState(3);
    const store = openStore(path);
    await store.save(state);
    await commitStateChanges(store, state, { type: 'removeUser', sourceId: 'src-0' });
    await commitStateChanges(store, state, { type: 'setUser', sourceId: 'src-9', user: userEntry(9) });
    await store.close();
    await appendFile(`${path}.journal`, '["setUser","src-10",["2819c223-7f76-453a-919d-0000');

    const loaded = await openStore(path).load();
    expect(plain(loaded)).toEqual(plain(state));
    expect(loaded?.users.has('src-10')).toBe(false);
    const journal = await readFile(`${path}.journal`, 'utf8');
    expect(journal.endsWith('\n')).toBe(true);
    expect(journal).not.toContain('src-10');
  });

  it('drops a complete-looking last line that lacks its newline (its append was never acknowledged)', async () => {
    const state = sampleState(2);
    const store = openStore(path);
    await store.save(state);
    await store.close();
    await appendFile(`${path}.journal`, '["removeUser","src-1"]');
    expect(plain(await openStore(path).load())).toEqual(plain(state));
  });

  it('refuses a damaged line that is not the last one, leaving both files untouched', async () => {
    const store = openStore(path);
    await store.save(sampleState(2));
    await store.record([
      { type: 'removeUser', sourceId: 'src-0' },
      { type: 'removeUser', sourceId: 'src-1' },
    ]);
    await store.close();
    const journal = (await readFile(`${path}.journal`, 'utf8')).replace(
      '["removeUser","src-0"]',
      '["removeUser",',
    );
    await writeFile(`${path}.journal`, journal);
    const snapshot = await snapshotOf(path);
    const error = await refusal(openStore(path).load());
    expect(error.code).toBe('corrupt');
    expect(error.message).toContain('line 2');
    expect(await readFile(`${path}.journal`, 'utf8')).toBe(journal);
    expect(await snapshotOf(path)).toEqual(snapshot);
  });

  it('removes a failed append from the journal and refuses changes until saved again', async () => {
    const fileSystem = new FaultyFileSystem();
    const state = sampleState(3);
    const store = openStore(path, { fileSystem });
    await store.save(state);
    await commitStateChanges(store, state, { type: 'removeUser', sourceId: 'src-0' });
    fileSystem.tornWrites = true;
    fileSystem.failAt(fileSystem.calls.length + 1);
    const error = await refusal(commitStateChanges(store, state, { type: 'removeUser', sourceId: 'src-1' }));
    expect(error.code).toBe('io');
    expect(error.message).not.toContain('src-1');
    expect(state.users.has('src-1')).toBe(true); // memory is not advanced either
    fileSystem.failWhen = undefined;
    expect((await refusal(store.record({ type: 'removeUser', sourceId: 'src-2' }))).code).toBe('io');
    expect(await readFile(`${path}.journal`, 'utf8')).not.toContain('src-1');
    expect(plain(await openStore(path).load())).toEqual(plain(state));

    await store.save(state);
    await commitStateChanges(store, state, { type: 'removeUser', sourceId: 'src-2' });
    expect(plain(await openStore(path).load())).toEqual(plain(state));
  });

  it('drops on the next load a torn append that could not be cut back', async () => {
    const fileSystem = new FaultyFileSystem();
    const state = sampleState(2);
    const store = openStore(path, { fileSystem });
    await store.save(state);
    await store.close();
    await store.load();
    fileSystem.tornWrites = true;
    const start = fileSystem.calls.length;
    // The append's write fails half-way, then the truncate that would undo it fails too.
    fileSystem.failAt(start + 2, start + 3);
    await refusal(store.record({ type: 'setUser', sourceId: 'src-5', user: userEntry(5) }));
    expect(fileSystem.calls.slice(start).map((call) => call.op)).toEqual([
      'openForAppend',
      'write',
      'truncate',
    ]);
    const journal = await readFile(`${path}.journal`, 'utf8');
    expect(journal.endsWith('\n')).toBe(false);
    expect(journal).toContain('src-5');

    expect(plain(await openStore(path).load())).toEqual(plain(state));
    expect(await readFile(`${path}.journal`, 'utf8')).not.toContain('src-5');
  });
});

describe('FileStateStore: a process killed at any step of save()', () => {
  it('always loads either the previous or the new state, never a mix or an error', async () => {
    const previous = sampleState(30, 2);
    const next = cloneProvisioningState(previous);
    applyStateChange(next, { type: 'removeUser', sourceId: 'src-3' });
    applyStateChange(next, { type: 'setUser', sourceId: 'src-77', user: userEntry(77) });
    // Count the steps of saving `next` over a state, then crash at each in turn.
    const probe = new FaultyFileSystem();
    const probeStore = openStore(join(dir, 'probe.json'), { fileSystem: probe });
    await probeStore.save(previous);
    const before = probe.calls.length;
    await probeStore.save(next);
    const steps = probe.calls.length - before;
    expect(steps).toBeGreaterThanOrEqual(10);

    const outcomes = new Set<string>();
    for (let step = 1; step <= steps; step++) {
      const file = join(dir, `crash-${step}.json`);
      const fileSystem = new FaultyFileSystem();
      const store = openStore(file, { fileSystem });
      await store.save(previous);
      await store.record({ type: 'setWatermark', watermark: 'w1' });
      fileSystem.failAt(fileSystem.calls.length + step);
      const error = await refusal(store.save(next));
      expect(error.code).toBe('io');

      const loaded = await openStore(file).load();
      const withWatermark = cloneProvisioningState(previous);
      withWatermark.watermark = 'w1';
      if (JSON.stringify(plain(loaded)) === JSON.stringify(plain(withWatermark))) outcomes.add('previous');
      else {
        expect(plain(loaded)).toEqual(plain(next));
        outcomes.add('next');
      }
      expect(
        (await readdir(dir)).filter((name) => name.startsWith(`crash-${step}.`) && name.endsWith('.tmp')),
      ).toEqual([]);
    }
    // Crashes before the snapshot's rename keep the old state; crashes after it keep the new one.
    expect(outcomes).toEqual(new Set(['previous', 'next']));
  });

  it('never replays a journal older than the snapshot (crash between the two renames)', async () => {
    const fileSystem = new FaultyFileSystem();
    const store = openStore(path, { fileSystem });
    const state = sampleState(3);
    await store.save(state);
    await commitStateChanges(store, state, { type: 'removeUser', sourceId: 'src-1' });
    // The user comes back before the cycle ends; the end-of-cycle save holds it.
    await commitStateChanges(store, state, { type: 'setUser', sourceId: 'src-1', user: userEntry(1) });
    state.users.set('src-1', userEntry(1, { hash: 'changed-in-memory' }));
    // Crash on the journal's rename, after the snapshot's: the old journal stays beside the new snapshot.
    const start = fileSystem.calls.length;
    fileSystem.failWhen = (call) => call.op === 'rename' && call.path === `${path}.journal`;
    await refusal(store.save(state));
    const renames = fileSystem.calls.slice(start).filter((call) => call.op === 'rename');
    expect(renames.map((call) => call.path)).toEqual([path, `${path}.journal`]);
    const journal = await readFile(`${path}.journal`, 'utf8');
    expect(journal).toContain('"removeUser","src-1"');
    const loaded = await openStore(path).load();
    expect(loaded?.users.get('src-1')?.hash).toBe('changed-in-memory');
  });
});

describe('FileStateStore: concurrency', () => {
  it('serialises concurrent save() calls in call order', async () => {
    const store = openStore(path);
    const states = [1, 2, 3, 4, 5].map((n) => sampleState(n * 10));
    await Promise.all(states.map((state) => store.save(state)));
    expect(plain(await openStore(path).load())).toEqual(plain(states[4]));
    expect((await readdir(dir)).sort()).toEqual(['state.json', 'state.json.journal']);
  });

  it('writes concurrent record() calls in call order, grouping them into few fsyncs', async () => {
    const fileSystem = new FaultyFileSystem();
    const store = openStore(path, { fileSystem });
    const state = createProvisioningState({ id: 't' });
    await store.save(state);
    const syncsBefore = fileSystem.count('sync');
    const changes: StateChange[] = [];
    for (let index = 0; index < 200; index++) {
      changes.push({ type: 'setUser', sourceId: `src-${index % 20}`, user: userEntry(index) });
    }
    await Promise.all(changes.map((change) => commitStateChanges(store, state, change)));
    const syncs = fileSystem.count('sync') - syncsBefore;
    expect(syncs).toBeGreaterThanOrEqual(1);
    expect(syncs).toBeLessThan(changes.length / 10);
    // Last write wins per source id, exactly as in memory.
    const loaded = await openStore(path).load();
    expect(plain(loaded)).toEqual(plain(state));
    expect(loaded?.users.get('src-0')).toEqual(userEntry(180));
  });

  it('orders records and saves as they were called', async () => {
    const store = openStore(path);
    const base = sampleState(2);
    await store.save(base);
    const replaced = sampleState(5);
    const pending = [
      store.record({ type: 'removeUser', sourceId: 'src-0' }),
      store.save(replaced),
      store.record({ type: 'removeUser', sourceId: 'src-4' }),
    ];
    await Promise.all(pending);
    const expected = cloneProvisioningState(replaced);
    applyStateChange(expected, { type: 'removeUser', sourceId: 'src-4' });
    expect(plain(await openStore(path).load())).toEqual(plain(expected));
  });

  it('rejects a change JSON cannot hold, writes nothing of it, and stays usable', async () => {
    const store = openStore(path);
    await store.save(sampleState(2));
    await expect(store.record({ type: 'setWatermark', watermark: 10n })).rejects.toThrow(TypeError);
    await store.record({ type: 'removeUser', sourceId: 'src-0' });
    const loaded = await openStore(path).load();
    expect(loaded?.watermark).toBeUndefined();
    expect([...(loaded?.users.keys() ?? [])]).toEqual(['src-1']);
  });

  it('refuses record() before load() or save()', async () => {
    const store = openStore(path);
    const error = await refusal(store.record({ type: 'removeUser', sourceId: 'a' }));
    expect(error.code).toBe('notOpen');
    await store.load();
    await expect(store.record({ type: 'removeUser', sourceId: 'a' })).rejects.toMatchObject({
      code: 'notOpen',
    });
  });
});
