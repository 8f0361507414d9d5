/**
 * End to end, running the engine: the deletion threshold (held, then let through), a source that
 * suddenly returns nobody, a base DN that is gone, dry runs and plans, the request economy the
 * client's `count()` buys, and kill and resume (an abort in the apply phase, and a process killed
 * with SIGKILL), all from slapd through ScimClient to ScimTestServer.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LDAPV3_USER_MAPPING } from '../../src/engine/mapping/defaults';
import type { HeldRemovals } from '../../src/engine/operations';
import { ProvisioningEngine } from '../../src/engine/ProvisioningEngine';
import { FileStateStore } from '../../src/engine/state/FileStateStore';
import { MemoryStateStore } from '../../src/engine/state/MemoryStateStore';
import type { ScimTestServer } from '../../src/testing/ScimTestServer';
import { expectedUser, groupsOf, memberIds, usersOf, writesIn } from './support/pipeline';
import { type Scene, Stage } from './support/stage';
import type { Tenant } from './support/tenant';

let stage: Stage;
let scratch: string;
let child: ChildProcess | undefined;

beforeAll(async () => {
  [stage, scratch] = await Promise.all([Stage.open(), mkdtemp(join(tmpdir(), 'aquera-e2e-resume-'))]);
});
afterEach(async () => {
  if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = undefined;
  await stage?.reset();
});
afterAll(async () => {
  await stage?.close();
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
});

function enabledUids(scene: Scene): string[] {
  return scene.tenant.users.filter((user) => !user.disabled).map((user) => user.uid);
}

describe('safety', () => {
  it('holds every removal past the deletion threshold, applies the rest, and lets them through with allowRemovals', async () => {
    const scene = await stage.scene();
    const engine = scene.engine({ safety: { deletionThreshold: 2 } });
    const held: HeldRemovals[] = [];
    engine.on('removalsHeld', (event) => held.push(event));
    await engine.sync();
    const [changed, ...rest] = enabledUids(scene);
    const leavers = rest.slice(0, 3);
    if (changed === undefined || leavers.length < 3) throw new Error('the company is too small');
    for (const uid of leavers) await scene.tenant.deleteUser(uid);
    await scene.tenant.setAttribute(changed, 'title', 'Director');
    scene.server.resetStats();

    const report = await engine.sync();
    expect(report.held).toMatchObject({ count: 3, limit: 2, because: 'threshold' });
    expect(report.held?.users).toHaveLength(3);
    expect(held).toHaveLength(1);
    expect(report.users).toMatchObject({ updated: 1, disabled: 0, deleted: 0 });
    expect(scene.server.stats().byRoute['PUT /Users/:id']).toBe(1);
    for (const uid of leavers) expect(usersOf(scene.server).get(uid)?.active).toBe(true);
    expect(usersOf(scene.server).get(changed)?.title).toBe('Director');

    // Held, not lost: the next cycle finds them again.
    const again = await engine.sync();
    expect(again.held?.count).toBe(3);
    const allowed = await engine.sync({ allowRemovals: true });
    expect(allowed.held).toBeUndefined();
    expect(allowed.users.disabled).toBe(3);
    for (const uid of leavers) expect(usersOf(scene.server).get(uid)?.active).toBe(false);
  });

  it('never removes anyone when the users base DN suddenly holds nobody, whatever the threshold', async () => {
    const scene = await stage.scene();
    const state = new MemoryStateStore();
    await scene.engine({ state }).sync();
    // The same provisioning pointed at an empty OU (a wrong base DN, a directory emptied by mistake).
    const empty = scene.datastore({ users: { baseDn: scene.tenant.outsideDn } });
    const engine = scene.engine({
      state,
      datastore: empty,
      safety: { deletionThreshold: Number.POSITIVE_INFINITY },
    });
    scene.server.resetStats();
    const report = await engine.sync();
    expect(report.held).toMatchObject({ because: 'emptySource', count: enabledUids(scene).length });
    expect(scene.server.stats().byRoute['PUT /Users/:id']).toBeUndefined();
    expect([...usersOf(scene.server).values()].every((user) => user.active === true)).toBe(true);
  });

  it('fails the cycle before writing anything when the users base DN does not exist', async () => {
    const scene = await stage.scene();
    const state = new MemoryStateStore();
    await scene.engine({ state }).sync();
    const gone = scene.datastore({ users: { baseDn: `ou=gone,${scene.tenant.suffix}` } });
    const engine = scene.engine({ state, datastore: gone, users: { removeAction: 'delete' } });
    scene.server.resetStats();
    await expect(engine.sync({ allowRemovals: true })).rejects.toThrow();
    expect(writesIn(scene.server.stats().byMethod)).toBe(0);
    expect(scene.server.counts().users).toBe(enabledUids(scene).length);
  });
});

describe('dry runs and plans', () => {
  it('plan() and sync({ dryRun }) say exactly what sync() then does, and write nothing', async () => {
    const scene = await stage.scene();
    const engine = scene.engine({ users: { removeAction: 'delete' } });
    await engine.sync();
    const [retitled, locked, deleted] = enabledUids(scene);
    if (retitled === undefined || locked === undefined || deleted === undefined)
      throw new Error('too few users');
    await scene.tenant.setAttribute(retitled, 'title', 'Director');
    await scene.tenant.disable(locked, 'pwdAccountLockedTime');
    await scene.tenant.deleteUser(deleted);
    await scene.tenant.addUser('newcomer', { mail: 'newcomer@example.com' });
    await scene.tenant.renameGroup('sales', 'sales-emea');
    await scene.tenant.addMember('support', 'newcomer');
    const before = scene.server.snapshot();
    scene.server.resetStats();

    const plan = await engine.plan();
    const dry = await engine.sync({ dryRun: true });
    expect(dry.dryRun).toBe(true);
    expect(writesIn(scene.server.stats().byMethod)).toBe(0);
    expect(scene.server.snapshot()).toEqual(before);

    const real = await engine.sync();
    expect(real.failures).toEqual([]);
    expect(real.users).toEqual(dry.users);
    expect(real.groups).toEqual(dry.groups);
    expect(real.users).toMatchObject({ created: 1, updated: 1, deleted: 2 });
    expect(real.groups.renamed).toBe(1);
    const ops = (list: readonly { op: string }[], op: string) =>
      list.filter((entry) => entry.op === op).length;
    expect(ops(plan.users, 'create')).toBe(real.users.created);
    expect(ops(plan.users, 'update')).toBe(real.users.updated);
    expect(ops(plan.users, 'delete')).toBe(real.users.deleted);
    expect(ops(plan.groups, 'rename')).toBe(real.groups.renamed);
    expect(usersOf(scene.server).has(locked)).toBe(false);
    expect(usersOf(scene.server).get('newcomer')).toBeDefined();
  });
});

describe('request economy', () => {
  it("new users in an incremental cycle: the client's count() lets the engine pick lookups or one listing", async () => {
    const scene = await stage.scene();
    for (let index = 0; index < 300; index += 1) scene.server.addUser({ userName: `other${index}` });
    const engine = scene.engine();
    await engine.sync();
    const pageSize = 100;

    // One new user is looked up (the client probes case sensitivity once, on the first miss).
    await scene.tenant.addUser('new0');
    expect((await engine.sync()).users.created).toBe(1);

    // Three new users: a listing would cost ceil(total / 100) pages, more than three lookups.
    for (const uid of ['new1', 'new2', 'new3']) await scene.tenant.addUser(uid);
    const pages = Math.ceil(scene.server.counts().users / pageSize);
    expect(pages).toBeGreaterThan(3);
    scene.server.resetStats();
    expect((await engine.sync()).users.created).toBe(3);
    expect(scene.server.stats().byRoute['GET /Users']).toBe(1 + 3);

    // Eight new users: one listing is cheaper than eight lookups.
    const eight = Array.from({ length: 8 }, (_, index) => `batch${index}`);
    for (const uid of eight) await scene.tenant.addUser(uid);
    const total = scene.server.counts().users;
    scene.server.resetStats();
    expect((await engine.sync()).users.created).toBe(8);
    expect(Math.ceil(total / pageSize)).toBeLessThan(8);
    expect(scene.server.stats().byRoute['GET /Users']).toBe(1 + Math.ceil(total / pageSize));
  });
});

/** An engine as the child process builds it (same options), on `statePath`. */
function resumeEngine(scene: Scene, statePath: string): ProvisioningEngine {
  return new ProvisioningEngine({
    datastore: scene.datastore(),
    client: scene.client,
    state: new FileStateStore(statePath),
    mapping: { users: LDAPV3_USER_MAPPING },
    concurrency: 4,
  });
}

/** Every enabled user exactly once with its attributes, and every group with the right members. */
function expectComplete(server: ScimTestServer, tenant: Tenant): void {
  const { users } = server.snapshot();
  const names = users.map((user) => String(user.userName));
  expect(new Set(names).size).toBe(names.length);
  const enabled = tenant.users.filter((user) => !user.disabled);
  expect(names.sort()).toEqual(enabled.map((user) => user.uid).sort());
  const byName = usersOf(server);
  for (const user of enabled)
    expect(byName.get(user.uid)).toMatchObject({ active: true, ...expectedUser(user) });
  const groups = groupsOf(server);
  for (const group of tenant.groups.filter((candidate) => candidate.style === 'groupOfNames')) {
    const wanted = tenant.users
      .filter((user) => group.userMemberDns.includes(user.dn) && byName.has(user.uid))
      .map((user) => String(byName.get(user.uid)?.id));
    for (const dn of group.groupMemberDns) {
      const member = tenant.groups.find((candidate) => candidate.dn === dn);
      if (member !== undefined) wanted.push(String(groups.get(member.cn)?.id));
    }
    expect(memberIds(groups.get(group.cn)), group.cn).toEqual(wanted.sort());
  }
}

describe('kill and resume', () => {
  it('an abort in the middle of the apply phase: a new engine on the same state file finishes the job', async () => {
    const scene = await stage.scene({ users: 30 });
    scene.server.setFaults({ slow: { rate: 1, delayMs: 25, methods: ['POST'] } });
    const statePath = join(scratch, 'abort.json');
    const first = resumeEngine(scene, statePath);
    const controller = new AbortController();
    let applied = 0;
    first.on('userOperation', () => {
      applied += 1;
      if (applied === 8) controller.abort(new Error('killed'));
    });
    await expect(first.sync({ signal: controller.signal })).rejects.toThrow('killed');
    // Creates in flight at the abort are still in the server's delay: let them land.
    await new Promise((resolve) => setTimeout(resolve, 150));
    const createdBefore = scene.server.counts().users;
    const enabled = enabledUids(scene).length;
    expect(createdBefore).toBeGreaterThanOrEqual(8);
    expect(createdBefore).toBeLessThan(enabled);

    scene.server.setFaults(undefined);
    const report = await resumeEngine(scene, statePath).sync();
    expect(report.failures).toEqual([]);
    expectComplete(scene.server, scene.tenant);
    const finished = await new FileStateStore(statePath).load();
    expect(finished?.pending.users.size).toBe(0);
    expect(finished?.users.size).toBe(enabled);
  });

  it('a process killed with SIGKILL in the middle of a sync is finished by the next one', async () => {
    const scene = await stage.scene({ users: 60 });
    const server = scene.server;
    server.setFaults({ slow: { rate: 1, delayMs: 50, methods: ['POST'] } });
    const statePath = join(scratch, 'killed.json');
    const running = spawn(
      join(process.cwd(), 'node_modules/.bin/vite-node'),
      ['test/e2e/fixtures/ldap-sync-child.ts'],
      {
        env: {
          ...process.env,
          LDAP_URL: stage.slapd.url,
          LDAP_BIND_DN: stage.slapd.readerDn,
          LDAP_BIND_PASSWORD: stage.slapd.readerPassword,
          USERS_BASE_DN: scene.tenant.peopleDn,
          GROUPS_BASE_DN: scene.tenant.groupsDn,
          BASE_URL: server.baseUrl,
          STATE_PATH: statePath,
        },
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
    while ((server.stats().byRoute['POST /Users'] ?? 0) < 10) {
      if (Date.now() > deadline || running.exitCode !== null) {
        throw new Error(
          `the child did not get far: ${output.replaceAll(stage.slapd.readerPassword, '[REDACTED]')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    running.kill('SIGKILL');
    await new Promise((resolve) => running.once('exit', resolve));
    expect(output).not.toContain('done');
    expect(server.counts().users).toBeLessThan(enabledUids(scene).length);

    server.setFaults(undefined);
    const report = await resumeEngine(scene, statePath).sync();
    expect(report.failures).toEqual([]);
    expectComplete(server, scene.tenant);
  }, 60_000);
});
