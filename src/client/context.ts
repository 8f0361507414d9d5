/**
 * What the parts of one client share: options, the request executor, discovery, the fallbacks it
 * learned and the sync cache.
 */
import type { ParseOptions } from '../scim/models/parse-options';
import type { Discovery, ServiceConfigSummary } from './discovery';
import { isScimHttpError } from './errors/ScimHttpError';
import type { ScimClientEvents } from './events';
import type { Fallbacks } from './fallbacks';
import type { ResolvedClientOptions } from './options';
import type { RequestExecutor } from './request';
import type { SyncCache } from './sync-cache';

/** Emits one of the client's events (listener errors are ignored). */
export type Emit = <E extends keyof ScimClientEvents>(event: E, ...args: ScimClientEvents[E]) => void;

/** Options of one call. */
export interface CallOptions {
  /** Aborts the call; it then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** The shared state of one client. */
export class ClientContext {
  readonly options: ResolvedClientOptions;
  readonly executor: RequestExecutor;
  readonly discovery: Discovery;
  readonly fallbacks: Fallbacks;
  readonly cache: SyncCache;
  readonly emit: Emit;
  readonly parseOptions: ParseOptions;
  private applied: Promise<ServiceConfigSummary | undefined> | undefined;

  constructor(init: {
    options: ResolvedClientOptions;
    executor: RequestExecutor;
    discovery: Discovery;
    fallbacks: Fallbacks;
    cache: SyncCache;
    emit: Emit;
  }) {
    this.options = init.options;
    this.executor = init.executor;
    this.discovery = init.discovery;
    this.fallbacks = init.fallbacks;
    this.cache = init.cache;
    this.emit = init.emit;
    this.parseOptions = { mode: init.options.validation };
  }

  /**
   * What `/ServiceProviderConfig` says, read once (with `discovery: 'auto'`), its lessons applied to
   * the fallbacks the first time: `filter.supported: false` makes lookups local, `patch.supported:
   * false` makes PATCH emulated. `undefined` with `discovery: 'off'`, or when the endpoint answered
   * an error other than 401 (the client then learns from the answers instead).
   */
  capabilities(signal?: AbortSignal): Promise<ServiceConfigSummary | undefined> {
    if (this.options.discovery === 'off') return Promise.resolve(undefined);
    if (this.applied === undefined) {
      const pending = this.discovery.serviceConfig(signal).then(
        (summary) => {
          if (summary.filter.supported === false) {
            this.fallbacks.useLocalFilter('Users', '*', 'ServiceProviderConfig says filter is not supported');
            this.fallbacks.useLocalFilter(
              'Groups',
              '*',
              'ServiceProviderConfig says filter is not supported',
            );
          }
          if (summary.patch.supported === false) {
            this.fallbacks.emulatePatch('*', 'ServiceProviderConfig says patch is not supported');
          }
          return summary;
        },
        (error: unknown) => {
          if (isScimHttpError(error) && error.status !== 401) return undefined;
          throw error;
        },
      );
      this.applied = pending;
      pending.then(
        (summary) => {
          if (summary === undefined && this.applied === pending) this.applied = Promise.resolve(undefined);
        },
        () => {
          if (this.applied === pending) this.applied = undefined;
        },
      );
    }
    return this.applied;
  }
}
