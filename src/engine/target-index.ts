/**
 * What the engine knows of the target's objects in one cycle: a listing indexed by id and by match
 * key, complete (a full cycle, or a small target) or partial (a listing stopped at its budget).
 *
 * @module
 */
import type { TargetResource } from './target';

/** Listed target objects, by id and by match key. */
export class TargetIndex<T extends TargetResource> {
  /** Listed objects by target id. */
  readonly byId = new Map<string, T>();
  /** Listed objects by match key (lower-cased). */
  readonly byKey = new Map<string, T[]>();
  /** Listed objects in listing order. */
  readonly all: T[] = [];
  /** True when the listing read every object: an object not in it does not exist. */
  complete = false;

  /** Adds one listed object under its keys. */
  add(resource: T, keys: readonly string[]): void {
    const id = resource.id;
    if (typeof id !== 'string' || this.byId.has(id)) return;
    this.byId.set(id, resource);
    this.all.push(resource);
    for (const key of keys) {
      const list = this.byKey.get(key);
      if (list === undefined) this.byKey.set(key, [resource]);
      else list.push(resource);
    }
  }
}

/**
 * Reads a listing into an index, stopping after `budgetPages` pages' worth of objects when given
 * (the index is then complete only if the listing ended first).
 */
export async function indexListing<T extends TargetResource>(
  listing: AsyncIterable<T>,
  keysOf: (resource: T) => readonly string[],
  options: { readonly pageSize: number; readonly budgetPages?: number },
): Promise<TargetIndex<T>> {
  const index = new TargetIndex<T>();
  const limit =
    options.budgetPages === undefined ? Number.POSITIVE_INFINITY : options.budgetPages * options.pageSize;
  let read = 0;
  for await (const resource of listing) {
    index.add(resource, keysOf(resource));
    read += 1;
    // Stop before the next page is asked for; the listing may have ended here, but cannot be known to.
    if (read >= limit) return index;
  }
  index.complete = true;
  return index;
}
