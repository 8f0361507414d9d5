/**
 * Issue 9, "Faults": users and groups provisioned from an InMemoryDatastore through the engine and
 * ScimClient to a ScimTestServer that answers 20 % 429 (Retry-After), 5 % 503, 2 % connection
 * resets, 2 % lost responses (the write is made, the answer never comes) and 1 % slower than the
 * client's timeout, with a fixed seed. After the cycle and at most one more, the target holds
 * exactly the expected users, groups and memberships: nothing lost, nothing duplicated, nobody
 * wrongly removed. Then the target down for a whole cycle, and credentials revoked mid-cycle.
 *
 * `RELIABILITY_SCALE=full` (scripts/reliability-full.sh) runs the issue's 10,000 users and 500
 * groups; the CI size keeps the file well under a minute.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isScimHttpError } from '../../src/client/errors/ScimHttpError';
import { isScimNetworkError } from '../../src/client/errors/ScimNetworkError';
import { ScimClient } from '../../src/client/ScimClient';
import type { SourceUser } from '../../src/datastore/types';
import { BREAKER_CONSECUTIVE_FAILURES } from '../../src/engine/circuit-breaker';
import { isSyncAbortedError, type SyncAbortedError } from '../../src/engine/errors/SyncAbortedError';
import type { EngineOptions } from '../../src/engine/options';
import { ProvisioningEngine } from '../../src/engine/ProvisioningEngine';
import type { SyncReport } from '../../src/engine/report';
import { FileStateStore } from '../../src/engine/state/FileStateStore';
import { MemoryStateStore } from '../../src/engine/state/MemoryStateStore';
import type { ProvisioningState } from '../../src/engine/state/types';
import type { ScimTestServerFaults } from '../../src/testing/faults';
import { ScimTestServer } from '../../src/testing/ScimTestServer';
import {
  COMPANY_USER_MAPPING,
  companyDatastore,
  companyGroupId,
  companyUser,
} from './support/faults/company';
import { compareTarget, expectedTarget, summarise } from './support/faults/expected';
import { countRetries } from './support/faults/retries';
import { faultScale } from './support/faults/scale';
import { TcpGate } from './support/faults/tcp-gate';

const scale = faultScale();
const SEED = 9;

/** The issue's fault mix. */
function issueFaults(): ScimTestServerFaults {
  return {
    seed: SEED,
    status429: { rate: 0.2, retryAfterSeconds: scale.retryAfterSeconds },
    status503: { rate: 0.05 },
    connectionReset: { rate: 0.02 },
    lostResponse: { rate: 0.02 },
    slow: { rate: 0.01, delayMs: scale.timeoutMs * 3 },
  };
}

const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function startServer(
  options: Parameters<typeof ScimTestServer.start>[0] = {},
): Promise<ScimTestServer> {
  const server = await ScimTestServer.start({ maxPageSize: 500, ...options });
  closers.push(() => server.close());
  return server;
}

function clientFor(
  baseUrl: string,
  extra: Partial<ConstructorParameters<typeof ScimClient>[0]> = {},
): ScimClient {
  const client = new ScimClient({
    baseUrl,
    timeout: scale.timeoutMs,
    concurrency: 8,
    // Short backoffs; Retry-After is honoured up to 2 s (the target sends 0 or 1).
    retry: { limit: 4, baseDelay: 10, backoffLimit: 200, maxRetryAfter: 2000 },
    ...extra,
  });
  closers.push(() => client.close());
  return client;
}

/** One line of figures per phase, printed for the note (no assertion on time). */
function printFigures(label: string, figures: Record<string, unknown>): void {
  console.log(`[reliability:faults:${scale.name}] ${label} ${JSON.stringify(figures)}`);
}

function failureSummary(report: SyncReport): Record<string, number> {
  const out: Record<string, number> = {};
  for (const failure of report.failures) {
    const key = `${failure.kind} ${failure.op}: ${failure.error.name}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

describe(`provisioning through a faulty target (${scale.name}: ${scale.users} users, ${scale.groups} groups)`, () => {
  it(
    'initial provisioning, then updates and removals: exact target, no duplicate, no wrong removal, within two cycles each',
    async () => {
      const server = await startServer({ faults: issueFaults() });
      const client = clientFor(server.baseUrl);
      const tally = countRetries(client);
      const datastore = companyDatastore(scale, SEED);
      const engine = new ProvisioningEngine({
        datastore,
        client,
        state: new MemoryStateStore(),
        mapping: { users: COMPANY_USER_MAPPING },
        users: { removeAction: 'disable' },
        concurrency: 8,
      });
      const departed: SourceUser[] = [];

      /** Runs a cycle and, when it left work undone, at most one more; returns what it took. */
      const converge = async (phase: string) => {
        const started = Date.now();
        const retriesBefore = tally.retries;
        const cycles: SyncReport[] = [await engine.sync()];
        const afterFirst = compareTarget(server.snapshot(), await expectedTarget(datastore, departed));
        // Whatever one cycle left undone, it never duplicates or wrongly removes anything.
        expect(afterFirst.duplicateUsers).toEqual([]);
        expect(afterFirst.duplicateGroups).toEqual([]);
        expect(afterFirst.wronglyRemoved).toEqual([]);
        const undone = Object.values(afterFirst).some((items) => items.length > 0);
        if (cycles[0]!.failures.length > 0 || undone) cycles.push(await engine.sync());
        const final = compareTarget(server.snapshot(), await expectedTarget(datastore, departed));
        expect(summarise(final)).toEqual({});
        printFigures(phase, {
          cycles: cycles.length,
          failuresFirstCycle: failureSummary(cycles[0]!),
          retries: tally.retries - retriesBefore,
          wallMs: Date.now() - started,
        });
        return cycles;
      };

      const initial = await converge('initial');
      expect(initial[0]!.users.created).toBeGreaterThan(scale.users * 0.9);
      const target = server.counts();
      expect(target).toEqual({ users: scale.users, groups: scale.groups });

      // Updates, disables, removals, new users, membership moves, group renames, deletes and creates.
      const random = createRandom(SEED + 1);
      const pick = (share: number) =>
        Array.from({ length: Math.max(1, Math.round(scale.users * share)) }, () =>
          Math.floor(random() * scale.users),
        );
      const removedIndexes = new Set(pick(0.02));
      for (const index of removedIndexes) {
        const id = companyUser(index).id;
        const user = await datastore.user(id);
        if (user === undefined) continue;
        departed.push(user);
        datastore.removeUser(id);
      }
      for (const index of pick(0.02))
        if (!removedIndexes.has(index)) datastore.disableUser(companyUser(index).id);
      for (const index of pick(0.05)) {
        if (!removedIndexes.has(index))
          datastore.updateUser(companyUser(index).id, { attributes: { title: `Lead ${index}` } });
      }
      for (let extra = 0; extra < Math.round(scale.users * 0.03); extra += 1)
        datastore.addUser(companyUser(scale.users + extra));
      const newcomer = companyUser(scale.users).id;
      for (let index = 3; index < Math.min(scale.groups, 13); index += 1) {
        const id = companyGroupId(index);
        const group = await firstGroup(datastore, id);
        datastore.updateGroup(id, { memberIds: [...group.memberIds.slice(1), newcomer] });
      }
      datastore.updateGroup(companyGroupId(0), { name: 'Team 0 renamed' });
      datastore.removeGroup(companyGroupId(scale.groups - 1));
      datastore.addGroup({ id: 'g-new', name: 'New team', memberIds: [newcomer, companyUser(1).id] });

      await converge('changes');
      const stats = server.stats();
      printFigures('totals', {
        faultsInjected: stats.faults,
        requests: stats.totalRequests,
        retries: tally.retries,
        retriesByReason: tally.byReason,
        createsRecovered: tally.createsRecovered,
        changesAlreadyApplied: tally.changesAlreadyApplied,
        lost: 0,
        duplicated: 0,
        wronglyRemoved: 0,
      });
      // Every kind of fault was injected, and the client had to work for it.
      for (const kind of ['status429', 'status503', 'connectionReset', 'lostResponse', 'slow'] as const) {
        expect(stats.faults[kind], kind).toBeGreaterThan(0);
      }
      expect(tally.retries).toBeGreaterThan(0);
    },
    scale.testTimeoutMs,
  );
});

async function firstGroup(datastore: ReturnType<typeof companyDatastore>, id: string) {
  for await (const group of datastore.groups()) if (group.id === id) return group;
  throw new Error(`no group ${id}`);
}

function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 4_294_967_296;
  };
}

/** The rejection of `promise`, which must reject. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

/** What a state file says was provisioned: target id by source id, users then groups. */
function provisionedIn(state: ProvisioningState | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [id, entry] of state?.users ?? []) out[`user ${id}`] = `${entry.targetId} ${entry.status}`;
  for (const [id, entry] of state?.groups ?? []) out[`group ${id}`] = entry.targetId;
  return out;
}

/** A small company provisioned to a healthy target through a gate, with its state in a file. */
async function provisionedCompany(serverOptions: Parameters<typeof ScimTestServer.start>[0] = {}) {
  const server = await startServer(serverOptions);
  const gate = await TcpGate.open(server.port);
  closers.push(() => gate.close());
  const folder = await mkdtemp(path.join(tmpdir(), 'rel-faults-'));
  closers.push(() => rm(folder, { recursive: true, force: true }));
  const statePath = path.join(folder, 'state.json');
  const datastore = companyDatastore({ users: 120, groups: 8, largeGroupMembers: 60 }, SEED);
  const departed: SourceUser[] = [];
  const clients = new Map<ProvisioningEngine, ScimClient>();
  const engineWith = (client: ScimClient, extra: Partial<EngineOptions> = {}) => {
    const state = new FileStateStore(statePath);
    const engine = new ProvisioningEngine({
      datastore,
      client,
      state,
      mapping: { users: COMPANY_USER_MAPPING },
      users: { removeAction: 'disable' },
      ...extra,
    });
    closers.push(() => engine.close());
    clients.set(engine, client);
    return engine;
  };
  const clientOf = (engine: ProvisioningEngine) => clients.get(engine) as ScimClient;
  // The engine that provisioned, still running: it knows the target (discovery done).
  const first = engineWith(
    clientFor(gate.rewrite(server.baseUrl), {
      ...clientAuth(serverOptions),
      retry: { limit: 2, baseDelay: 5, backoffLimit: 20 },
    }),
  );
  await first.sync();
  expect(summarise(compareTarget(server.snapshot(), await expectedTarget(datastore)))).toEqual({});
  /** Source changes the next cycle has to carry: updates, removals, newcomers, membership moves. */
  const change = async () => {
    for (const index of [3, 4, 5]) {
      datastore.updateUser(companyUser(index).id, { attributes: { title: 'Changed during the outage' } });
    }
    for (const index of [10, 11]) {
      const user = await datastore.user(companyUser(index).id);
      if (user !== undefined) departed.push(user);
      datastore.removeUser(companyUser(index).id);
    }
    datastore.addUser(companyUser(500));
    datastore.addMembers(companyGroupId(4), [companyUser(500).id]);
  };
  const readState = () => new FileStateStore(statePath).load();
  const expected = () => expectedTarget(datastore, departed);
  return { server, gate, datastore, first, engineWith, clientOf, change, readState, expected };
}

function clientAuth(serverOptions: Parameters<typeof ScimTestServer.start>[0] = {}) {
  const auth = serverOptions?.auth;
  return auth?.type === 'bearer' ? { auth: { type: 'bearer' as const, token: auth.token } } : {};
}

describe('the target down for a whole cycle, then back', () => {
  it.each(['the engine that provisioned', 'a new engine on the same state file'])(
    'port closed, %s: one SyncAbortedError (connection), nothing removed, state intact, the next cycle converges',
    async (which) => {
      const company = await provisionedCompany();
      await company.change();
      const before = provisionedIn(await company.readState());
      const held = company.server.snapshot();
      await company.gate.shut();

      let engine = company.first;
      if (which !== 'the engine that provisioned') {
        await company.first.close();
        engine = company.engineWith(
          clientFor(company.gate.rewrite(company.server.baseUrl), {
            retry: { limit: 2, baseDelay: 5, backoffLimit: 20 },
          }),
        );
      }
      const tally = countRetries(company.clientOf(engine));
      const error = await rejectionOf(engine.sync());
      expect(isSyncAbortedError(error)).toBe(true);
      const aborted = error as SyncAbortedError;
      expect(aborted.reason).toBe('connection');
      expect(aborted.message).toMatch(/refuses connections or cannot be reached/);
      expect(isScimNetworkError(aborted.cause)).toBe(true);
      expect((aborted.cause as { code?: string }).code).toBe('ECONNREFUSED');
      // It stops after a handful of attempts instead of trying every operation.
      expect(tally.retries).toBeLessThanOrEqual(2 * (BREAKER_CONSECUTIVE_FAILURES + 8));
      // Nothing reached the target, and the state still holds everything provisioned.
      expect(company.server.snapshot()).toEqual(held);
      expect(provisionedIn(await company.readState())).toEqual(before);
      await engine.close();

      await company.gate.reopen();
      const recovery = company.engineWith(clientFor(company.gate.rewrite(company.server.baseUrl)));
      const report = await recovery.sync();
      expect(report.failures).toEqual([]);
      expect(summarise(compareTarget(company.server.snapshot(), await company.expected()))).toEqual({});
      printFigures('targetDown', { which, retries: tally.retries, recovery: report.users });
    },
  );

  it('every request answered 503: one SyncAbortedError (unavailable), nothing removed, the next cycle converges', async () => {
    const company = await provisionedCompany();
    await company.change();
    const before = provisionedIn(await company.readState());
    const held = company.server.snapshot();
    company.server.setFaults({ seed: SEED, status503: { rate: 1 } });
    const engine = company.first;
    const error = await rejectionOf(engine.sync());
    expect(isSyncAbortedError(error)).toBe(true);
    expect((error as SyncAbortedError).reason).toBe('unavailable');
    expect(isScimHttpError((error as SyncAbortedError).cause)).toBe(true);
    expect(company.server.snapshot()).toEqual(held);
    expect(provisionedIn(await company.readState())).toEqual(before);
    const requestsWhileDown = company.server.stats().byStatus['503'] ?? 0;
    await engine.close();

    company.server.setFaults(undefined);
    const recovery = company.engineWith(clientFor(company.gate.rewrite(company.server.baseUrl)));
    const report = await recovery.sync();
    expect(report.failures).toEqual([]);
    expect(summarise(compareTarget(company.server.snapshot(), await company.expected()))).toEqual({});
    printFigures('target503', { requestsWhileDown });
  });
});

describe('the target going down in the middle of a cycle', () => {
  it('connections cut mid-apply: one SyncAbortedError, no duplicate, no wrong removal, the next cycle converges', async () => {
    const company = await provisionedCompany();
    await company.change();
    // Enough writes in flight when the port closes: every user retitled, 40 newcomers.
    for (let index = 0; index < 120; index += 1) {
      const id = companyUser(index).id;
      if ((await company.datastore.user(id)) === undefined) continue;
      company.datastore.updateUser(id, { attributes: { title: `Moved ${index}` } });
    }
    for (let index = 600; index < 640; index += 1) company.datastore.addUser(companyUser(index));
    const client = company.clientOf(company.first);
    let requests = 0;
    const cutAfter = 60;
    client.on('request', () => {
      requests += 1;
      if (requests === cutAfter) void company.gate.shut();
    });
    const error = await rejectionOf(company.first.sync());
    expect(isSyncAbortedError(error)).toBe(true);
    expect(['connection', 'timeout']).toContain((error as SyncAbortedError).reason);
    const partial = compareTarget(company.server.snapshot(), await company.expected());
    expect(partial.duplicateUsers).toEqual([]);
    expect(partial.wronglyRemoved).toEqual([]);
    expect(partial.unexpectedUsers).toEqual([]);

    await company.gate.reopen();
    const report = await company.first.sync();
    expect(report.failures).toEqual([]);
    expect(summarise(compareTarget(company.server.snapshot(), await company.expected()))).toEqual({});
    printFigures('targetDiesMidCycle', { cutAfterRequests: cutAfter, recovery: report.users });
  });
});

describe('credentials revoked mid-cycle', () => {
  it('stops early with exactly one SyncAbortedError (authentication), a bounded number of 401s, then converges', async () => {
    const token = 'rel-faults-token-0001';
    const company = await provisionedCompany({ auth: { type: 'bearer', token } });
    // Enough work for the revocation to land mid-apply: every user gets a new title.
    for (let index = 0; index < 120; index += 1) {
      company.datastore.updateUser(companyUser(index).id, { attributes: { title: `Retitled ${index}` } });
    }
    const client = clientFor(company.gate.rewrite(company.server.baseUrl), {
      auth: { type: 'bearer', token },
    });
    let requests = 0;
    const revokeAfter = 30;
    client.on('request', () => {
      requests += 1;
      if (requests === revokeAfter) company.server.setAuth({ type: 'bearer', token: 'rotated-elsewhere' });
    });
    company.server.resetStats();
    const engine = company.engineWith(client);
    const cycleEnds: unknown[] = [];
    engine.on('cycleEnd', (report) => cycleEnds.push(report));
    const error = await rejectionOf(engine.sync());
    expect(isSyncAbortedError(error)).toBe(true);
    const aborted = error as SyncAbortedError;
    expect(aborted.reason).toBe('authentication');
    expect(isScimHttpError(aborted.cause) && aborted.cause.status).toBe(401);
    expect(aborted.message).not.toContain(token);
    expect(cycleEnds).toHaveLength(1);
    const unauthorized = company.server.stats().byStatus['401'] ?? 0;
    // The breaker opens after 5 in a row; what was in flight (concurrency 8) finishes.
    expect(unauthorized).toBeGreaterThan(0);
    expect(unauthorized).toBeLessThanOrEqual(BREAKER_CONSECUTIVE_FAILURES + 8);
    const failed = aborted.report?.failures ?? [];
    expect(failed.every((failure) => isScimHttpError(failure.error) && failure.error.status === 401)).toBe(
      true,
    );
    expect(aborted.report?.notAttempted).toBeGreaterThan(0);
    await engine.close();

    company.server.setAuth({ type: 'bearer', token });
    const recovery = company.engineWith(
      clientFor(company.gate.rewrite(company.server.baseUrl), { auth: { type: 'bearer', token } }),
    );
    const report = await recovery.sync();
    expect(report.failures).toEqual([]);
    expect(summarise(compareTarget(company.server.snapshot(), await company.expected()))).toEqual({});
    printFigures('authRevoked', { revokedAfterRequests: revokeAfter, unauthorized, failed: failed.length });
  });
});

describe('a group create slower than the timeout, on a target that allows repeated group names', () => {
  it('the late create leaves a twin: the next full cycle reports it (duplicateInTarget) and deletes nothing', async () => {
    const server = await startServer({
      uniqueGroupDisplayName: false,
      // The first group POST is handled after three client timeouts: the client gives up, looks the
      // group up (not there yet), creates it again, and then the first POST lands as well.
      faults: {
        seed: SEED,
        slow: { rate: 1, limit: 1, delayMs: scale.timeoutMs * 3, methods: ['POST'], paths: ['/Groups'] },
      },
    });
    const client = clientFor(server.baseUrl);
    const datastore = companyDatastore({ users: 6, groups: 1, largeGroupMembers: 4 }, SEED);
    const engine = new ProvisioningEngine({
      datastore,
      client,
      state: new MemoryStateStore(),
      mapping: { users: COMPANY_USER_MAPPING },
    });
    const first = await engine.sync();
    expect(first.failures).toEqual([]);
    // Wait (bounded) for the late POST to be carried out.
    for (let poll = 0; poll < 100 && server.counts().groups < 2; poll += 1) await sleep(scale.timeoutMs / 10);
    expect(server.counts().groups).toBe(2);
    // In creation order: the group the retry created (linked), then the late one.
    const [, twin] = server.snapshot().groups;
    const warnings: string[] = [];
    engine.on('warning', (warning) => warnings.push(warning.code));
    const second = await engine.sync({ full: true });
    const reported = second.warnings.filter((warning) => warning.code === 'duplicateInTarget');
    expect(reported).toHaveLength(1);
    expect(reported[0]?.message).toContain(String(twin?.id));
    expect(warnings).toContain('duplicateInTarget');
    expect(second.groups.deleted).toBe(0);
    expect(server.counts().groups).toBe(2);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('churn through heavier faults (30 % 429, 10 % 503, 5 % 500, 5 % resets, 10 % lost, 3 % slow)', () => {
  it.each(['disable', 'delete'] as const)(
    'removeAction %s: eight cycles of changes, full and incremental; failed cycles leave no duplicate or wrong removal; one clean cycle converges',
    async (removeAction) => {
      const server = await startServer();
      const client = clientFor(server.baseUrl, { retry: { limit: 2, baseDelay: 5, backoffLimit: 50 } });
      const datastore = companyDatastore({ users: 300, groups: 20, largeGroupMembers: 150 }, SEED);
      const engine = new ProvisioningEngine({
        datastore,
        client,
        state: new MemoryStateStore(),
        mapping: { users: COMPANY_USER_MAPPING },
        users: { removeAction },
        pageSize: 50,
      });
      await engine.sync();
      server.setFaults({
        seed: SEED,
        status429: { rate: 0.3, retryAfterSeconds: 0 },
        status503: { rate: 0.1 },
        status500: { rate: 0.05 },
        connectionReset: { rate: 0.05 },
        lostResponse: { rate: 0.1 },
        slow: { rate: 0.03, delayMs: scale.timeoutMs * 2 },
      });
      const departed: SourceUser[] = [];
      const kept = () => (removeAction === 'disable' ? departed : []);
      let failedCycles = 0;
      for (let round = 0; round < 8; round += 1) {
        const leaving = companyUser(10 + round).id;
        const user = await datastore.user(leaving);
        if (user !== undefined) departed.push(user);
        datastore.removeUser(leaving);
        datastore.updateUser(companyUser(100 + round).id, { attributes: { title: `Round ${round}` } });
        datastore.addMembers(companyGroupId(5), [companyUser(200 + round).id]);
        // A listing page that still fails after the retries fails the whole cycle (a typed error):
        // a partial listing is never taken for the target's content.
        await engine.sync({ full: round % 2 === 0 }).catch((error: unknown) => {
          expect(isScimHttpError(error) || isSyncAbortedError(error) || isScimNetworkError(error)).toBe(true);
          failedCycles += 1;
        });
        const now = compareTarget(server.snapshot(), await expectedTarget(datastore, kept()));
        expect(now.duplicateUsers).toEqual([]);
        expect(now.duplicateGroups).toEqual([]);
        expect(now.wronglyRemoved).toEqual([]);
      }
      server.setFaults(undefined);
      const report = await engine.sync();
      expect(report.failures).toEqual([]);
      expect(summarise(compareTarget(server.snapshot(), await expectedTarget(datastore, kept())))).toEqual(
        {},
      );
      printFigures(`churn-${removeAction}`, { failedCycles, faults: server.stats().faults });
    },
  );
});
