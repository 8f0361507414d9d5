/**
 * Wiring an engine for a benchmark: a `ScimClient` on the bench server with the engine's
 * concurrency, a state store (the embedded `FileStateStore` in a scratch folder by default, as a
 * host gets it), the bench mapping, and no deletion threshold.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AxiosInstance } from 'axios';
import { ScimClient } from '../../src/client/ScimClient';
import type { DatastoreAdapter } from '../../src/datastore/types';
import type { EngineOptions } from '../../src/engine/options';
import { ProvisioningEngine } from '../../src/engine/ProvisioningEngine';
import { FileStateStore } from '../../src/engine/state/FileStateStore';
import { MemoryStateStore } from '../../src/engine/state/MemoryStateStore';
import type { StateStore } from '../../src/engine/state/StateStore';
import type { ProvisioningState } from '../../src/engine/state/types';
import type { ProvisioningTarget } from '../../src/engine/target';
import { BENCH_USER_MAPPING } from './directory';

/** Which state store a benchmark engine uses. */
export type StateKind = 'file' | 'memory';

/** A state store and how to remove what it wrote. */
export interface BenchStateStore {
  readonly store: StateStore;
  readonly kind: StateKind;
  /** The snapshot file, for a file store. */
  readonly path: string | undefined;
  /** Closes the store and removes its scratch folder. */
  dispose(): Promise<void>;
}

/**
 * A state store: a `FileStateStore` in a new scratch folder under the OS temp folder, or a
 * `MemoryStateStore` (optionally starting from `initial`).
 */
export async function benchStateStore(
  kind: StateKind,
  initial?: ProvisioningState,
): Promise<BenchStateStore> {
  if (kind === 'memory') {
    const store = new MemoryStateStore(initial);
    return { store, kind, path: undefined, dispose: () => store.close() };
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aquera-bench-state-'));
  const file = path.join(dir, 'state.json');
  const store = new FileStateStore(file);
  if (initial !== undefined) await store.save(initial);
  return {
    store,
    kind,
    path: file,
    dispose: async () => {
      await store.close().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Options of {@link benchClient}. */
export interface BenchClientOptions {
  /** Requests in flight at once (the engine gets the same). */
  readonly concurrency: number;
  /** A recording axios instance (see `createRequestRecorder`). */
  readonly axios?: AxiosInstance;
  /** The client's own pacing (`ScimClientOptions.rateLimit`). @unit requests per second */
  readonly rateLimit?: number;
}

/** A ScimClient for the bench server: the client's defaults, with `concurrency`. */
export function benchClient(baseUrl: string, options: BenchClientOptions): ScimClient {
  return new ScimClient({
    baseUrl,
    concurrency: options.concurrency,
    ...(options.axios === undefined ? {} : { axios: options.axios }),
    ...(options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit }),
  });
}

/** The options of the benchmark engines: the bench mapping, `concurrency`, no deletion threshold. */
export function benchEngineOptions(
  datastore: DatastoreAdapter,
  client: ProvisioningTarget,
  state: StateStore,
  concurrency: number,
): EngineOptions {
  return {
    datastore,
    client,
    state,
    mapping: { users: BENCH_USER_MAPPING },
    concurrency,
    safety: { deletionThreshold: Number.POSITIVE_INFINITY },
  };
}

/** An engine with {@link benchEngineOptions}. */
export function benchEngine(
  datastore: DatastoreAdapter,
  client: ScimClient,
  state: StateStore,
  concurrency: number,
): ProvisioningEngine {
  return new ProvisioningEngine(benchEngineOptions(datastore, client, state, concurrency));
}
