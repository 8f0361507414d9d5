/**
 * The state is compacted (snapshot rewritten) only after a cycle that recorded something and
 * whose journal has grown enough, and when the engine closes: a cycle with nothing to do, a dry
 * run, a cycle of a few changes, and closing the engine after nothing was recorded leave the
 * snapshot untouched.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileStateStore } from '../../src/engine/state/FileStateStore';
import { type Harness, harness, person } from './helpers';

let h: Harness | undefined;
let folder: string | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  if (folder !== undefined) await rm(folder, { recursive: true, force: true });
  folder = undefined;
});

async function snapshotVersion(path: string): Promise<string> {
  const info = await stat(path);
  return `${info.ino}:${info.mtimeMs}:${info.size}`;
}

describe('compaction after a cycle', () => {
  it('leaves the snapshot alone after cycles and dry runs with nothing to do, and rewrites it after a change', async () => {
    folder = await mkdtemp(join(tmpdir(), 'aquera-compaction-'));
    const path = join(folder, 'state.json');
    h = await harness({ users: [person(1), person(2)], store: new FileStateStore(path) });
    const engine = h.engine();
    await engine.sync();
    await engine.stop();
    const written = await snapshotVersion(path);

    await engine.sync();
    await engine.sync({ full: true });
    await engine.plan();
    await engine.stop();
    expect(await snapshotVersion(path)).toBe(written);

    // A few changes go to the journal only: the snapshot is rewritten when the journal has grown
    // to a quarter of it, or when the engine closes.
    h.datastore.updateUser('u1', { attributes: { title: 'Director' } });
    await engine.sync();
    expect(await snapshotVersion(path)).toBe(written);
    expect(await readFile(`${path}.journal`, 'utf8')).toContain('"setUser"');
    await engine.close();
    expect(await snapshotVersion(path)).not.toBe(written);
  });

  it('compacts after a cycle once the journal has grown to a quarter of the snapshot', async () => {
    folder = await mkdtemp(join(tmpdir(), 'aquera-compaction-'));
    const path = join(folder, 'state.json');
    const store = new FileStateStore(path);
    h = await harness({ users: Array.from({ length: 300 }, (_unused, index) => person(index)), store });
    const engine = h.engine();
    await engine.sync();
    await engine.stop();
    const written = await snapshotVersion(path);
    let rounds = 0;
    for (; rounds < 40 && (await snapshotVersion(path)) === written; rounds += 1) {
      for (let index = 0; index < 50; index += 1) {
        h.datastore.updateUser(`u${index}`, { attributes: { title: `Title ${rounds}` } });
      }
      await engine.sync();
    }
    // Not after the first round of changes (the journal is small next to the snapshot), but soon.
    expect(rounds).toBeGreaterThan(1);
    expect(rounds).toBeLessThan(40);
    expect(await snapshotVersion(path)).not.toBe(written);
    expect(store.compactionDue()).toBe(false);
    await engine.close();
  });
});
