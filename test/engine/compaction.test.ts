/**
 * The state is compacted (snapshot rewritten) only after a cycle that recorded something: a cycle
 * with nothing to do, a dry run, and closing the engine after them leave the snapshot untouched.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
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
    const written = await snapshotVersion(path);

    await engine.sync();
    await engine.sync({ full: true });
    await engine.plan();
    await engine.stop();
    expect(await snapshotVersion(path)).toBe(written);

    h.datastore.updateUser('u1', { attributes: { title: 'Director' } });
    await engine.sync();
    expect(await snapshotVersion(path)).not.toBe(written);
    await engine.close();
  });
});
