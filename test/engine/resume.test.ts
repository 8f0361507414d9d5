/**
 * Kill and resume: a cycle stopped at any point (an abort in the apply phase, lost answers, a
 * process killed with SIGKILL) is finished by the next engine on the same state file, without
 * duplicates and without lost work.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ScimClient } from '../../src/client/ScimClient';
import { ProvisioningEngine } from '../../src/engine/ProvisioningEngine';
import { FileStateStore } from '../../src/engine/state/FileStateStore';
import { ScimTestServer } from '../../src/testing/ScimTestServer';
import { crowd } from './fixtures/crowd';
import { memberIds } from './helpers';

const MAPPING = { users: { userName: 'uid', displayName: 'cn' } };

let directory: string;
let server: ScimTestServer | undefined;
let child: ChildProcess | undefined;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'aquera-engine-resume-'));
});
afterEach(async () => {
  if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = undefined;
  await server?.close();
  server = undefined;
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

function engineFor(baseUrl: string, statePath: string, count: number): ProvisioningEngine {
  return new ProvisioningEngine({
    datastore: crowd(count),
    client: new ScimClient({ baseUrl, retry: { limit: 2, baseDelay: 5, backoffLimit: 20 } }),
    state: new FileStateStore(statePath),
    mapping: MAPPING,
    concurrency: 4,
  });
}

/** Checks that the target holds each of `count` users once, and both groups with the right members. */
function expectComplete(target: ScimTestServer, count: number): void {
  const { users, groups } = target.snapshot();
  const names = users.map((user) => String(user.userName));
  expect(new Set(names).size).toBe(names.length);
  expect(names.sort()).toEqual(Array.from({ length: count }, (_, index) => `person${index}`).sort());
  expect(groups.map((group) => group.displayName).sort()).toEqual(['even', 'odd']);
  const idOf = new Map(users.map((user) => [String(user.userName), String(user.id)]));
  const odd = groups.find((group) => group.displayName === 'odd');
  expect(memberIds(odd)).toEqual(
    Array.from({ length: count }, (_, index) => index)
      .filter((index) => index % 2 === 1)
      .map((index) => idOf.get(`person${index}`))
      .sort(),
  );
}

describe('kill and resume', () => {
  it('an abort in the middle of the apply phase: a new engine on the same state file finishes the job', async () => {
    server = await ScimTestServer.start({ faults: { slow: { rate: 1, delayMs: 25, methods: ['POST'] } } });
    const statePath = join(directory, 'abort.json');
    const first = engineFor(server.baseUrl, statePath, 40);
    const controller = new AbortController();
    let applied = 0;
    first.on('userOperation', () => {
      applied += 1;
      if (applied === 12) controller.abort(new Error('killed'));
    });
    await expect(first.sync({ signal: controller.signal })).rejects.toThrow('killed');
    // Creates the client gave up on are still in the server's delay: let them land.
    await new Promise((resolve) => setTimeout(resolve, 150));
    const createdBefore = server.counts().users;
    expect(createdBefore).toBeGreaterThanOrEqual(12);
    expect(createdBefore).toBeLessThan(40);
    // Creates in flight at the abort reached the target; their intents are in the state.
    const interrupted = await new FileStateStore(statePath).load();
    const recorded = interrupted?.users.size ?? 0;
    expect(recorded).toBeGreaterThanOrEqual(12);
    expect(interrupted?.pending.users.size).toBeGreaterThan(0);

    server.setFaults(undefined);
    const second = engineFor(server.baseUrl, statePath, 40);
    const report = await second.sync();
    expect(report.failures).toEqual([]);
    expect(report.users.created + report.users.linked).toBe(40 - recorded);
    // The creates whose outcome was not recorded are found and linked, not created again.
    expect(report.users.linked).toBe(createdBefore - recorded);
    expectComplete(server, 40);
    const finished = await new FileStateStore(statePath).load();
    expect(finished?.pending.users.size).toBe(0);
    expect(finished?.users.size).toBe(40);
  });

  it('lost answers to creates never make duplicates', async () => {
    server = await ScimTestServer.start({
      faults: { seed: 3, lostResponse: { rate: 0.4, methods: ['POST'] } },
    });
    const engine = engineFor(server.baseUrl, join(directory, 'lost.json'), 30);
    const report = await engine.sync();
    expect(report.failures).toEqual([]);
    expect(server.stats().faults.lostResponse).toBeGreaterThan(0);
    expectComplete(server, 30);
  });

  it('a process killed with SIGKILL in the middle of a sync is finished by the next one', async () => {
    server = await ScimTestServer.start({ faults: { slow: { rate: 1, delayMs: 40, methods: ['POST'] } } });
    const statePath = join(directory, 'killed.json');
    const count = 60;
    const target = server;
    const running = spawn(
      join(process.cwd(), 'node_modules/.bin/vite-node'),
      ['test/engine/fixtures/sync-child.ts'],
      {
        env: { ...process.env, BASE_URL: target.baseUrl, STATE_PATH: statePath, USER_COUNT: String(count) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child = running;
    let output = '';
    running.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    running.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    // Kill it once it has created some users, well before it is done.
    const deadline = Date.now() + 40_000;
    while ((target.stats().byRoute['POST /Users'] ?? 0) < 15) {
      if (Date.now() > deadline || running.exitCode !== null)
        throw new Error(`the child did not get far: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    running.kill('SIGKILL');
    await new Promise((resolve) => running.once('exit', resolve));
    expect(output).not.toContain('done');
    expect(target.counts().users).toBeLessThan(count);

    target.setFaults(undefined);
    const report = await engineFor(target.baseUrl, statePath, count).sync();
    expect(report.failures).toEqual([]);
    expectComplete(target, count);
  }, 60_000);
});
