/**
 * Finding existing target objects for the source objects a cycle meets for the first time, with
 * as few requests as the batch allows: one lookup per object, or one listing of the target,
 * whichever costs less.
 *
 * - A target that does not filter is listed once (a lookup would list it anyway).
 * - A target that can count (`count()`): the listing costs `ceil(total / pageSize)` requests, the
 *   lookups one each; the cheaper is used.
 * - Otherwise, when the objects the state knows the target holds already make a listing cost as
 *   much as the lookups, the objects are looked up; else, for two new objects or more, the listing
 *   is read within half the budget of the lookups: if it ends within it, it settles every object;
 *   if not, what it read still settles the objects it holds, and the others are looked up one by one.
 *
 * @module
 */
import { runPool } from './pool';
import type { TargetCallOptions, TargetListOptions, TargetResource } from './target';
import { indexListing, type TargetIndex } from './target-index';

/** How one kind of object (users, groups) is found. */
export interface Finder<T extends TargetResource> {
  /** Keys a listed object is indexed under. */
  keysOfTarget(resource: T): readonly string[];
  /** Lists the target's objects. */
  list(options: TargetListOptions): AsyncIterable<T>;
  /** Counts them, when the target can. */
  count: ((options: TargetCallOptions) => Promise<number | undefined>) | undefined;
  /** The object of an index that matches source object `sourceId`, if any. */
  settle(sourceId: string, index: TargetIndex<T>): T | undefined;
  /** Looks one source object up in the target. */
  lookup(sourceId: string, options: TargetCallOptions): Promise<T | undefined>;
}

/** What the match phase works with. */
export interface MatchSettings {
  readonly pageSize: number;
  readonly concurrency: number;
  readonly signal: AbortSignal | undefined;
  /** `false` when the target said it does not filter. */
  readonly filterSupported: boolean | undefined;
  /** True once the client fell back to filtering locally for this resource type (lookups then list). */
  readonly localFilterSeen: () => boolean;
  /**
   * How many objects the target holds at least (those the state says were provisioned there): a
   * listing costs at least `ceil(knownMinimum / pageSize)` requests.
   */
  readonly knownMinimum: number;
}

/** The outcome: a listing (complete or partial) and lookup results for the objects it did not settle. */
export interface MatchOutcome<T extends TargetResource> {
  readonly index: TargetIndex<T> | undefined;
  readonly lookups: Map<string, T | undefined>;
}

/** Finds the target objects of `sourceIds`. */
export async function findExisting<T extends TargetResource>(
  sourceIds: readonly string[],
  finder: Finder<T>,
  settings: MatchSettings,
): Promise<MatchOutcome<T>> {
  const lookups = new Map<string, T | undefined>();
  if (sourceIds.length === 0) return { index: undefined, lookups };
  const call: TargetCallOptions = settings.signal === undefined ? {} : { signal: settings.signal };
  const listAll = () =>
    indexListing(
      finder.list({ ...call, pageSize: settings.pageSize }),
      (r) => finder.keysOfTarget(r),
      settings,
    );

  if (settings.filterSupported === false) return { index: await listAll(), lookups };

  let index: TargetIndex<T> | undefined;
  if (sourceIds.length >= 2) {
    const total = finder.count === undefined ? undefined : await finder.count(call);
    if (total !== undefined) {
      const listingCost = Math.max(1, Math.ceil(total / settings.pageSize));
      if (listingCost < sourceIds.length) return { index: await listAll(), lookups };
    } else if (Math.ceil(settings.knownMinimum / settings.pageSize) < sourceIds.length) {
      index = await indexListing(
        finder.list({ ...call, pageSize: settings.pageSize }),
        (r) => finder.keysOfTarget(r),
        {
          pageSize: settings.pageSize,
          budgetPages: Math.ceil(sourceIds.length / 2),
        },
      );
      if (index.complete) return { index, lookups };
    }
  }

  const remaining = sourceIds.filter((id) => index === undefined || finder.settle(id, index) === undefined);
  let fullListing: Promise<TargetIndex<T>> | undefined;
  await runPool(
    remaining,
    settings.concurrency,
    async (sourceId) => {
      if (settings.localFilterSeen()) {
        fullListing ??= listAll();
        lookups.set(sourceId, finder.settle(sourceId, await fullListing));
        return;
      }
      lookups.set(sourceId, await finder.lookup(sourceId, call));
    },
    () => settings.signal?.aborted === true,
  );
  return { index, lookups };
}

/** The first object of a listing, reading no further. */
export async function firstOf<T>(listing: AsyncIterable<T>): Promise<T | undefined> {
  for await (const item of listing) return item;
  return undefined;
}
