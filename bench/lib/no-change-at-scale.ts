/**
 * A no-change cycle at a given size, measured from a fresh start: generate the directory, seed the
 * state directly (see `seed-state.ts`), save it to a `FileStateStore`, then a new engine runs a
 * cold cycle (loading the state) and a warm one. Run in a process of its own
 * (`scale-worker.ts`) so that memory figures are of this work only.
 */
import { stat } from 'node:fs/promises';
import type { MeasuredCycle } from './cycle';
import { measureCycle } from './cycle';
import { type DirectoryFacts, generateDirectory } from './directory';
import { profileWhile } from './inspector-profile';
import { measure } from './measure';
import { collectGarbage, mb } from './memory';
import { benchClient, benchEngine, benchStateStore } from './rig';
import { seedProvisionedState } from './seed-state';
import { startBenchServer } from './server';

/** What {@link noChangeAtScale} measured. */
export interface ScalePoint {
  readonly facts: DirectoryFacts;
  /** Generating the InMemoryDatastore. @unit ms */
  readonly generateMs: number;
  /** Building the state in memory. @unit ms */
  readonly seedMs: number;
  /** `FileStateStore.save` of that state. @unit ms */
  readonly saveMs: number;
  /** Size of the state snapshot on disk. @unit MiB */
  readonly stateFileMb: number;
  /** The same in bytes. */
  readonly stateFileBytes: number;
  /** RSS of the fresh process, with the directory, and before the cycles (state saved, not loaded). @unit MiB */
  readonly rssBaseMb: number;
  readonly rssWithDirectoryMb: number;
  readonly rssBeforeCyclesMb: number;
  /** Heap in use before the cycles. @unit MiB */
  readonly heapBeforeCyclesMb: number;
  readonly cold: MeasuredCycle;
  readonly warm: MeasuredCycle;
}

/**
 * Measures a no-change cycle on `users` users and `groups` groups (the big group holds 10,000
 * users, or all of them when fewer), with an empty SCIM server in this process: a cycle with
 * nothing to do must send it nothing, and any request would be counted. With `profilePrefix`,
 * each cycle is CPU-profiled into `<profilePrefix>-cold.cpuprofile` and `-warm.cpuprofile` (the
 * profiler slows the cycles: do not take their times from such a run).
 */
export async function noChangeAtScale(
  users: number,
  groups: number,
  profilePrefix?: string,
): Promise<ScalePoint> {
  collectGarbage();
  const rssBaseMb = mb(process.memoryUsage().rss);
  const generated = await measure(async () =>
    generateDirectory({ users, groups, bigGroup: Math.min(10_000, users) }),
  );
  const { datastore, facts } = generated.value;
  collectGarbage();
  const rssWithDirectoryMb = mb(process.memoryUsage().rss);
  const server = await startBenchServer({ inline: true });
  const client = benchClient(server.baseUrl, { concurrency: 8 });
  const fileState = await benchStateStore('file');
  try {
    let seedMs = 0;
    let saveMs = 0;
    {
      const seeded = await measure(() => seedProvisionedState(datastore, client));
      seedMs = seeded.wallMs;
      const saved = await measure(() => fileState.store.save(seeded.value));
      saveMs = saved.wallMs;
    }
    await fileState.store.close();
    const stateFileBytes = (await stat(fileState.path as string)).size;
    const stateFileMb = mb(stateFileBytes);
    collectGarbage();
    const rssBeforeCyclesMb = mb(process.memoryUsage().rss);
    const heapBeforeCyclesMb = mb(process.memoryUsage().heapUsed);
    const engine = benchEngine(datastore, client, fileState.store, 8);
    const profile = (name: string) =>
      profilePrefix === undefined ? undefined : `${profilePrefix}-${name}.cpuprofile`;
    const cold = await profileWhile(profile('cold'), () =>
      measureCycle('cold (loads the FileStateStore)', engine, server),
    );
    const warm = await profileWhile(profile('warm'), () =>
      measureCycle('warm (same engine)', engine, server),
    );
    return {
      facts,
      generateMs: generated.wallMs,
      seedMs,
      saveMs,
      stateFileMb,
      stateFileBytes,
      rssBaseMb,
      rssWithDirectoryMb,
      rssBeforeCyclesMb,
      heapBeforeCyclesMb,
      cold,
      warm,
    };
  } finally {
    client.close();
    await fileState.dispose();
    await server.close();
  }
}
