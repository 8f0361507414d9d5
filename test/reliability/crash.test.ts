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
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli';
import { decodeJournalHeader, encodeJournalHeader } from '../../src/engine/state/codec';
import { FileStateStore } from '../../src/engine/state/FileStateStore';
import { isStateStoreError, type StateStoreError } from '../../src/engine/state/StateStoreError';
import type { ProvisioningState } from '../../src/engine/state/types';
import { ScimTestServer } from '../../src/testing/ScimTestServer';
import type { ScimTestServerStats } from '../../src/testing/stats';
import { captureIo, writeConfig } from '../cli/helpers';
import { bundleChild, runChild, runningChildren } from './support/crash/child-process';
import {
  canonicalState,
  flipByte,
  folderContent,
  lineEnds,
  STATE_FILE_NAME,
  type StateFiles,
  writeStateFiles,
} from './support/crash/damage';
import {
  crashDirectory,
  type DirectoryPhase,
  scaleFromEnvironment,
  seededRandom,
} from './support/crash/directory';
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

/** What the store may do with a damaged copy: refuse it, or read exactly one of these. */
interface DamageCase {
  readonly name: string;
  readonly files: StateFiles;
  /** Refusing (StateStoreError, files untouched) is right. */
  readonly mayRefuse: boolean;
  /** Reading is right when it gives the state these undamaged files give. */
  readonly mayRead: readonly StateFiles[];
}

/** What a damage case came to, for the summary. */
type DamageOutcome = 'refused' | 'read';

describe('a state file damaged by a crash', () => {
  let source: StateFiles;
  let snapshotOnly: StateFiles;
  let caseCount = 0;
  let folderCount = 0;
  /** A folder of its own for each copy. */
  const freshFolder = (prefix: string): string => {
    folderCount += 1;
    return join(scratch, `${prefix}-${folderCount}`);
  };
  const outcomes: Record<string, Record<DamageOutcome, number>> = {};

  beforeAll(async () => {
    // A real state: the directory provisioned, then a cycle with changes killed half-way, so that
    // the journal holds the changes of the operations it finished.
    const folder = join(scratch, 'damage-source');
    await mkdir(folder);
    const statePath = join(folder, STATE_FILE_NAME);
    server.setFaults(undefined);
    server.clear();
    await provisionInitial(statePath, 'disable');
    const outcome = await runChild({
      bundle,
      baseUrl: server.baseUrl,
      statePath,
      seed: DIRECTORY_SEED,
      scale: SCALE,
      phase: 'changed',
      removeAction: 'disable',
      killAfter: 12,
      deadlineMs: 60_000,
    });
    expect(outcome.killed).toBe(true);
    source = {
      snapshot: await readFile(statePath),
      journal: await readFile(`${statePath}.journal`),
    };
    expect(lineEnds(source.journal as Buffer).length).toBeGreaterThan(4);
    snapshotOnly = { snapshot: source.snapshot, journal: undefined };
  }, 120_000);

  afterAll(() => {
    console.info(`damaged state summary: ${caseCount} cases, ${JSON.stringify(outcomes)}`);
  });

  /** Loads `files` from a folder of their own. */
  async function loadCopy(files: StateFiles): Promise<ProvisioningState | undefined> {
    const path = await writeStateFiles(freshFolder('copy'), files);
    const store = new FileStateStore(path);
    try {
      return await store.load();
    } finally {
      await store.close();
    }
  }

  /**
   * Checks one damaged copy: the store refuses it (a StateStoreError, files untouched, and an
   * engine on it refuses to run a cycle and sends nothing), or reads one of the allowed states.
   */
  async function check(kind: string, damage: DamageCase): Promise<void> {
    caseCount += 1;
    const folder = freshFolder('damaged');
    const path = await writeStateFiles(folder, damage.files);
    const before = await folderContent(folder);
    const store = new FileStateStore(path);
    let loaded: ProvisioningState | undefined;
    let refusal: unknown;
    try {
      loaded = await store.load();
    } catch (error) {
      refusal = error;
    } finally {
      await store.close();
    }
    const tally = outcomes[kind] ?? { refused: 0, read: 0 };
    outcomes[kind] = tally;
    if (refusal !== undefined) {
      tally.refused += 1;
      expect(damage.mayRefuse, `${damage.name}: refused (${String(refusal)}) but should be read`).toBe(true);
      expect(isStateStoreError(refusal), String(refusal)).toBe(true);
      expect((refusal as StateStoreError).code).toMatch(/^(corrupt|foreign|unsupportedVersion)$/);
      expect((refusal as StateStoreError).message).toContain(folder);
      expect(await folderContent(folder), `${damage.name}: files changed`).toEqual(before);
      // The engine refuses the cycle: nothing read from the target's point of view is written.
      server.resetStats();
      const engine = crashEngine({
        baseUrl: server.baseUrl,
        statePath: path,
        datastore: crashDirectory(DIRECTORY_SEED, SCALE, 'changed'),
        removeAction: 'disable',
      });
      await expect(engine.sync()).rejects.toSatisfy(isStateStoreError);
      await engine.close();
      expect(writesIn(server.stats())).toBe(0);
      expect(await folderContent(folder), `${damage.name}: files changed by the engine`).toEqual(before);
      return;
    }
    tally.read += 1;
    const candidates = await Promise.all(
      damage.mayRead.map(async (files) => canonicalState(await loadCopy(files))),
    );
    expect(candidates, `${damage.name}: read a state it should not have`).toContainEqual(
      canonicalState(loaded),
    );
  }

  it('a source id changed by one byte in the snapshot is refused, not taken for a departed user to remove', async () => {
    const text = (source.snapshot as Buffer).toString('utf8');
    const row = /\n\["(u\d+)","([^"]+)","([^"]+)"/.exec(text);
    if (row === null) throw new Error('no user row in the snapshot');
    const [, sourceId, targetId] = row as unknown as [string, string, string];
    const position = (row.index as number) + 2 + sourceId.length; // the last character of the id
    const damaged = flipByte(source.snapshot as Buffer, position, 0x40);
    expect(damaged.toString('utf8')).not.toContain(`["${sourceId}",`);
    const folder = join(scratch, 'damaged-source-id');
    const path = await writeStateFiles(folder, { ...source, snapshot: damaged });
    const before = await folderContent(folder);
    expect(server.getUser(targetId)?.active).toBe(true);
    server.resetStats();
    const engine = crashEngine({
      baseUrl: server.baseUrl,
      statePath: path,
      datastore: crashDirectory(DIRECTORY_SEED, SCALE, 'changed'),
      removeAction: 'disable',
    });
    try {
      // Trusted, the entry would be a user who left the directory: its target user disabled.
      await expect(engine.sync()).rejects.toSatisfy(isStateStoreError);
    } finally {
      await engine.close();
    }
    expect(server.getUser(targetId)?.active).toBe(true);
    expect(writesIn(server.stats())).toBe(0);
    expect(await folderContent(folder)).toEqual(before);
  });

  it('a state written before checksums were added is still read as it is', async () => {
    const legacy: StateFiles = {
      snapshot: Buffer.from(
        (source.snapshot as Buffer)
          .toString('utf8')
          .replace(/,\n"checksum":"sha256:[0-9a-f]{64}"\}\n$/, '}\n'),
      ),
      journal: Buffer.from((source.journal as Buffer).toString('utf8').replace(/ [0-9a-f]{8}\n/g, '\n')),
    };
    expect(legacy.snapshot?.length).toBeLessThan((source.snapshot as Buffer).length);
    expect(legacy.journal?.toString('utf8')).toMatch(/^\{.*\}\n(\[.*\]\n)+$/);
    expect(canonicalState(await loadCopy(legacy))).toEqual(canonicalState(await loadCopy(source)));
  });

  it('a snapshot cut short at 12 seeded offsets, or empty, is refused and left as it was', async () => {
    const snapshot = source.snapshot as Buffer;
    const random = seededRandom(11);
    const offsets = [
      0,
      ...Array.from({ length: 12 }, () => 1 + Math.floor(random() * (snapshot.length - 2))),
    ];
    for (const offset of offsets) {
      await check('snapshot truncated', {
        name: `snapshot cut at ${offset} of ${snapshot.length}`,
        files: { ...source, snapshot: snapshot.subarray(0, offset) },
        mayRefuse: true,
        mayRead: [],
      });
    }
  });

  it('a snapshot with a byte flipped at 40 seeded places is refused, or read unchanged', async () => {
    const snapshot = source.snapshot as Buffer;
    const random = seededRandom(12);
    for (let count = 0; count < 40; count++) {
      const position = Math.floor(random() * snapshot.length);
      const mask = 1 + Math.floor(random() * 255);
      await check('snapshot byte flipped', {
        name: `snapshot byte ${position} (${JSON.stringify(String.fromCharCode(snapshot[position] as number))}) ^ ${mask}`,
        files: { ...source, snapshot: flipByte(snapshot, position, mask) },
        mayRefuse: true,
        mayRead: [source],
      });
    }
  });

  it('a torn last journal line is dropped, and only that line', async () => {
    const journal = source.journal as Buffer;
    const ends = lineEnds(journal);
    const lastLine = journal.subarray(ends.at(-2) as number, ends.at(-1) as number);
    for (const keep of [1, Math.floor(lastLine.length / 2), lastLine.length - 1]) {
      await check('journal torn line', {
        name: `journal with ${keep} bytes of a line appended`,
        files: { ...source, journal: Buffer.concat([journal, lastLine.subarray(0, keep)]) },
        mayRefuse: false,
        mayRead: [source],
      });
    }
  });

  it('a journal cut at 10 seeded offsets keeps every complete line and drops the rest', async () => {
    const journal = source.journal as Buffer;
    const ends = lineEnds(journal);
    const header = ends[0] as number;
    const random = seededRandom(13);
    for (let count = 0; count < 10; count++) {
      const offset = header + Math.floor(random() * (journal.length - header));
      const complete = ends.filter((end) => end <= offset).at(-1) as number;
      await check('journal truncated', {
        name: `journal cut at ${offset} of ${journal.length}`,
        files: { ...source, journal: journal.subarray(0, offset) },
        mayRefuse: false,
        mayRead: [{ ...source, journal: journal.subarray(0, complete) }],
      });
    }
  });

  it('a journal with a byte flipped at 30 seeded places is refused, or read unchanged, or loses only its last line', async () => {
    const journal = source.journal as Buffer;
    const ends = lineEnds(journal);
    const random = seededRandom(14);
    const withoutLast = { ...source, journal: journal.subarray(0, ends.at(-2) as number) };
    for (let count = 0; count < 30; count++) {
      const position = Math.floor(random() * journal.length);
      const mask = 1 + Math.floor(random() * 255);
      await check('journal byte flipped', {
        name: `journal byte ${position} ^ ${mask}`,
        files: { ...source, journal: flipByte(journal, position, mask) },
        mayRefuse: true,
        mayRead: [source, withoutLast],
      });
    }
  });

  it('a journal of another generation: a newer one is refused, an older one is not replayed', async () => {
    const journal = (source.journal as Buffer).toString('utf8');
    const newline = journal.indexOf('\n');
    const header = { generation: decodeJournalHeader(journal.slice(0, newline)) };
    const withGeneration = (generation: number) =>
      Buffer.from(`${encodeJournalHeader(generation)}${journal.slice(newline + 1)}`);
    await check('journal generation', {
      name: 'journal of the next generation',
      files: { ...source, journal: withGeneration(header.generation + 1) },
      mayRefuse: true,
      mayRead: [],
    });
    await check('journal generation', {
      name: 'journal of the previous generation',
      files: { ...source, journal: withGeneration(header.generation - 1) },
      mayRefuse: false,
      mayRead: [snapshotOnly],
    });
  });

  it('an empty journal, a journal without its snapshot, a foreign file', async () => {
    await check('journal empty', {
      name: 'empty journal',
      files: { ...source, journal: Buffer.alloc(0) },
      mayRefuse: true,
      mayRead: [snapshotOnly],
    });
    await check('snapshot missing', {
      name: 'journal without its snapshot',
      files: { snapshot: undefined, journal: source.journal },
      mayRefuse: true,
      mayRead: [],
    });
    await check('foreign', {
      name: 'a JSON file of something else',
      files: { snapshot: Buffer.from('{"users":[],"groups":[]}\n'), journal: undefined },
      mayRefuse: true,
      mayRead: [],
    });
  });

  it('the command line refuses a damaged state file: exit code 2, the file named, nothing sent or written', async () => {
    const folder = freshFolder('cli');
    const snapshot = source.snapshot as Buffer;
    const path = await writeStateFiles(folder, {
      ...source,
      snapshot: flipByte(snapshot, snapshot.length >> 1, 1),
    });
    const config = await writeConfig(folder, 'provisioner.json', {
      target: { type: 'scim', url: server.baseUrl, auth: { type: 'bearer', token: { env: 'SCIM_TOKEN' } } },
      source: {
        directory: 'ldapv3',
        // Never reached: the state is read first.
        urls: 'ldap://127.0.0.1:9',
        bindDn: 'cn=reader,dc=example,dc=com',
        bindPassword: { env: 'LDAP_PASSWORD' },
        users: { baseDn: 'ou=people,dc=example,dc=com' },
      },
      state: { file: path },
    });
    const before = await folderContent(folder);
    server.resetStats();
    for (const json of [false, true]) {
      const io = captureIo({
        env: { SCIM_TOKEN: 'crash-token', LDAP_PASSWORD: 'crash-password' },
        cwd: folder,
      });
      const code = await runCli(['sync', '--config', config, ...(json ? ['--json'] : [])], io);
      expect(code, io.allText()).toBe(2);
      expect(io.stderrText()).toContain('The state file cannot be used.');
      expect(io.stderrText()).toContain(path);
      expect(io.stderrText()).toContain('left untouched');
      if (json) expect(JSON.parse(io.stdoutText())).toMatchObject({ ok: false, exitCode: 2 });
      expect(io.allText()).not.toMatch(/crash-token|crash-password/);
    }
    expect(server.stats().totalRequests).toBe(0);
    expect(await folderContent(folder)).toEqual(before);
  });

  it('temporary files left by a save cut short are ignored', async () => {
    const snapshot = source.snapshot as Buffer;
    await check('temporary files', {
      name: 'state.json.tmp and state.json.journal.tmp left behind',
      files: {
        ...source,
        extra: {
          [`${STATE_FILE_NAME}.tmp`]: snapshot.subarray(0, Math.floor(snapshot.length / 2)),
          [`${STATE_FILE_NAME}.journal.tmp`]: Buffer.from('{"format":"aquera-provisioner/jour'),
        },
      },
      mayRefuse: false,
      mayRead: [source],
    });
  });
});
