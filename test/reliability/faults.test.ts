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
import { afterEach, describe, expect, it } from 'vitest';
import { ScimClient } from '../../src/client/ScimClient';
import type { SourceUser } from '../../src/datastore/types';
import { ProvisioningEngine } from '../../src/engine/ProvisioningEngine';
import type { SyncReport } from '../../src/engine/report';
import { MemoryStateStore } from '../../src/engine/state/MemoryStateStore';
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
