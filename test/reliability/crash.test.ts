/**
 * Crashes: a child process running a sync is killed with SIGKILL at 20 seeded points during
 * initial provisioning and at 20 during a cycle with updates, renames, disables, removals and
 * membership changes; each time a new engine on the same state file finishes the job with its
 * next cycle, and the target then holds exactly what the directory says: every user with its
 * attributes and status, every group with its members, nothing twice, nothing lost, nobody
 * removed who should not be.
 *
 * The target (ScimTestServer, in this process) refuses a second user with the same userName
 * (409), so a duplicate create shows up as a 409; group displayNames are not unique there, so a
 * duplicate group shows up in the target itself.
 *
 * RELIABILITY_SCALE=full runs a larger directory.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FileStateStore } from '../../src/engine/state/FileStateStore';
import { ScimTestServer } from '../../src/testing/ScimTestServer';
import type { ScimTestServerStats } from '../../src/testing/stats';
import { bundleChild, runChild, runningChildren } from './support/crash/child-process';
import { crashDirectory, type DirectoryPhase, scaleFromEnvironment } from './support/crash/directory';
import { crashEngine, type RemoveAction } from './support/crash/engine';
import { compareTarget, type ExpectedTarget, expectedTarget } from './support/crash/expected';
import { killPoints } from './support/crash/kill-points';
import { PHASE_MARKS } from './support/crash/marks';

const SCALE = scaleFromEnvironment(process.env.RELIABILITY_SCALE);
const POINTS = 20;
const DIRECTORY_SEED = 9;
const KILL_SEED = 2024;
/** Writes wait a little on the server, so that a kill finds requests in flight. */
const WRITE_DELAY_MS = 3;
/**
 * Where the state files go: a tmpfs when there is one. SIGKILL ends the process, not the machine:
 * what it wrote stays in the page cache whether or not it was fsynced, so the disk's fsync latency
 * (4 ms here, a few hundred per run) is not what these tests are about.
 */
const SCRATCH_PARENT = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

let server: ScimTestServer;
let scratch: string;
let bundle: string;

beforeAll(async () => {
  [server, scratch] = await Promise.all([
    ScimTestServer.start({ uniqueGroupDisplayName: false }),
    mkdtemp(join(SCRATCH_PARENT, 'aquera-crash-')),
  ]);
  bundle = await bundleChild(scratch);
});
afterEach(() => {
  for (const child of runningChildren) child.kill('SIGKILL');
});
afterAll(async () => {
  for (const child of runningChildren) child.kill('SIGKILL');
  await server?.close();
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
});

/** One kind of interrupted cycle. */
interface Scenario {
  readonly name: string;
  readonly phase: DirectoryPhase;
  readonly removeAction: RemoveAction;
}

/** What the crash runs of a scenario measured, for the summary. */
interface Tally {
  crashes: number;
  finishedFirst: number;
  killedInPhase: Record<string, number>;
  lost: number;
  duplicates: number;
  wronglyRemoved: number;
  duplicateCreates: number;
}

function writesIn(stats: ScimTestServerStats): number {
  return ['POST', 'PUT', 'PATCH', 'DELETE'].reduce((sum, method) => sum + (stats.byMethod[method] ?? 0), 0);
}

function markName(mark: string | undefined): string {
  for (const [phase, character] of Object.entries(PHASE_MARKS)) if (character === mark) return phase;
  return 'start';
}

/** Provisions the initial directory to completion on `statePath` (the cycle before the crash). */
async function provisionInitial(statePath: string, removeAction: RemoveAction): Promise<void> {
  const engine = crashEngine({
    baseUrl: server.baseUrl,
    statePath,
    datastore: crashDirectory(DIRECTORY_SEED, SCALE, 'initial'),
    removeAction,
  });
  const report = await engine.sync();
  await engine.close();
  expect(report.failures).toEqual([]);
}

/** Starts from an empty target; for the `changed` scenarios, with the initial directory provisioned. */
async function prepare(scenario: Scenario, statePath: string): Promise<void> {
  server.setFaults(undefined);
  server.clear();
  if (scenario.phase === 'changed') await provisionInitial(statePath, scenario.removeAction);
}

describe.each<Scenario>([
  { name: 'initial provisioning', phase: 'initial', removeAction: 'disable' },
  { name: 'a cycle with changes (removeAction disable)', phase: 'changed', removeAction: 'disable' },
  { name: 'a cycle with changes (removeAction delete)', phase: 'changed', removeAction: 'delete' },
])('SIGKILL during $name', (scenario) => {
  // The changed scenarios share the 20 points of the "cycle with changes" between them.
  const count = scenario.phase === 'initial' ? POINTS : POINTS / 2;
  let expected: ExpectedTarget;
  let points: number[];
  const tally: Tally = {
    crashes: 0,
    finishedFirst: 0,
    killedInPhase: {},
    lost: 0,
    duplicates: 0,
    wronglyRemoved: 0,
    duplicateCreates: 0,
  };

  beforeAll(async () => {
    expected = await expectedTarget(
      crashDirectory(DIRECTORY_SEED, SCALE, 'initial'),
      scenario.phase === 'changed' ? crashDirectory(DIRECTORY_SEED, SCALE, 'changed') : undefined,
      scenario.removeAction,
    );
    // An uninterrupted run: its operations give the kill points, and its result checks the model.
    const statePath = join(scratch, `${scenario.phase}-${scenario.removeAction}-reference.json`);
    await prepare(scenario, statePath);
    const outcome = await runChild({
      bundle,
      baseUrl: server.baseUrl,
      statePath,
      seed: DIRECTORY_SEED,
      scale: SCALE,
      phase: scenario.phase,
      removeAction: scenario.removeAction,
      killAfter: undefined,
      deadlineMs: 60_000,
    });
    expect(outcome.exitCode, outcome.stderr).toBe(0);
    expect(compareTarget(server.snapshot(), expected)).toEqual({
      lost: [],
      duplicates: [],
      wronglyRemoved: [],
      unexpected: [],
      wrong: [],
    });
    points = killPoints(
      outcome.marks,
      count,
      KILL_SEED + scenario.phase.length + scenario.removeAction.length,
    );
  }, 120_000);

  afterAll(() => {
    console.info(
      `crash summary (${scenario.name}, ${SCALE.users} users, ${SCALE.groups} groups): ${JSON.stringify(tally)}`,
    );
  });

  it.each(Array.from({ length: count }, (_, index) => index))(
    'kill point %i: the next cycle finishes the job exactly',
    async (index) => {
      const killAfter = points[index] as number;
      const statePath = join(scratch, `${scenario.phase}-${scenario.removeAction}-${index}.json`);
      await prepare(scenario, statePath);
      server.setFaults({
        slow: { rate: 1, delayMs: WRITE_DELAY_MS, methods: ['POST', 'PUT', 'PATCH', 'DELETE'] },
      });
      server.resetStats();
      const outcome = await runChild({
        bundle,
        baseUrl: server.baseUrl,
        statePath,
        seed: DIRECTORY_SEED,
        scale: SCALE,
        phase: scenario.phase,
        removeAction: scenario.removeAction,
        killAfter,
        deadlineMs: 60_000,
      });
      if (outcome.killed) {
        tally.crashes += 1;
        const phase = markName(outcome.marks.at(-1));
        tally.killedInPhase[phase] = (tally.killedInPhase[phase] ?? 0) + 1;
      } else {
        expect(outcome.exitCode, outcome.stderr).toBe(0);
        tally.finishedFirst += 1;
      }
      // Requests the child sent before it died are still in the server's delay: let them land.
      await new Promise((resolve) => setTimeout(resolve, 20 * WRITE_DELAY_MS));
      server.setFaults(undefined);

      const engine = crashEngine({
        baseUrl: server.baseUrl,
        statePath,
        datastore: crashDirectory(DIRECTORY_SEED, SCALE, scenario.phase),
        removeAction: scenario.removeAction,
      });
      try {
        const report = await engine.sync();
        expect(report.failures).toEqual([]);
        expect(report.held).toBeUndefined();
        const differences = compareTarget(server.snapshot(), expected);
        const duplicateCreates = server.stats().byStatus['409'] ?? 0;
        tally.lost += differences.lost.length;
        tally.duplicates += differences.duplicates.length;
        tally.wronglyRemoved += differences.wronglyRemoved.length;
        tally.duplicateCreates += duplicateCreates;
        expect(differences, `killed after ${outcome.marks.length} operations (${outcome.marks})`).toEqual({
          lost: [],
          duplicates: [],
          wronglyRemoved: [],
          unexpected: [],
          wrong: [],
        });
        expect(duplicateCreates, 'creates answered 409: a duplicate attempted').toBe(0);

        // Converged: the state holds no unresolved create, and the next cycle writes nothing.
        server.resetStats();
        const idle = await engine.sync();
        expect(idle.failures).toEqual([]);
        expect(writesIn(server.stats())).toBe(0);
      } finally {
        await engine.close();
      }
      const store = new FileStateStore(statePath);
      const state = await store.load();
      await store.close();
      expect(state?.pending.users.size).toBe(0);
      expect(state?.pending.groups.size).toBe(0);
      expect(state?.users.size).toBe(expected.users.size);
      expect(state?.groups.size).toBe(expected.groups.size);
    },
    60_000,
  );
});
