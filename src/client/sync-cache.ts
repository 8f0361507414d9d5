/**
 * The sync cache: while a sync is open (`client.beginSync()` … `client.endSync()`), the full
 * listings that lookups fall back to are read once and kept, and the client's own writes keep them
 * current.
 */

/** A resource as the cache holds it: anything with an `id`. */
export interface CachedResource {
  readonly id?: string | undefined;
  readonly [key: string]: unknown;
}

/**
 * Full listings of resource types, kept for the duration of a sync. Syncs nest: the cache is
 * dropped when the outermost one ends. Outside a sync nothing is kept, so that a lookup never
 * answers from a listing that may be stale.
 */
export class SyncCache {
  private depth = 0;
  private readonly listings = new Map<string, Promise<Map<string, CachedResource>>>();

  /** True while at least one sync is open. */
  get active(): boolean {
    return this.depth > 0;
  }

  /** Opens a sync (they nest). */
  begin(): void {
    this.depth += 1;
  }

  /** Closes a sync; the outermost close drops every listing. Closing with none open does nothing. */
  end(): void {
    if (this.depth === 0) return;
    this.depth -= 1;
    if (this.depth === 0) this.listings.clear();
  }

  /**
   * Every resource of `resourceType`: the kept listing while a sync is open (read with `load` the
   * first time), or a fresh `load()` otherwise. A failed load is not kept.
   */
  async all<T extends CachedResource>(resourceType: string, load: () => Promise<T[]>): Promise<T[]> {
    if (!this.active) return load();
    let listing = this.listings.get(resourceType);
    if (listing === undefined) {
      const pending = load().then(
        (items) => new Map(items.map((item) => [String(item.id), item as CachedResource])),
      );
      listing = pending;
      this.listings.set(resourceType, pending);
      pending.catch(() => {
        if (this.listings.get(resourceType) === pending) this.listings.delete(resourceType);
      });
    }
    return [...(await listing).values()] as T[];
  }

  /** Replaces a kept listing with one just read (after a fresh listing outside the cache). */
  store<T extends CachedResource>(resourceType: string, items: readonly T[]): void {
    if (!this.active) return;
    this.listings.set(resourceType, Promise.resolve(new Map(items.map((item) => [String(item.id), item]))));
  }

  /** Records a created or changed resource in a kept listing. */
  upsert(resourceType: string, resource: CachedResource): void {
    const id = resource.id;
    const listing = this.listings.get(resourceType);
    if (listing === undefined || id === undefined) return;
    this.listings.set(
      resourceType,
      listing.then((map) => new Map(map).set(id, resource)),
    );
  }

  /** Removes a deleted resource from a kept listing. */
  remove(resourceType: string, id: string): void {
    const listing = this.listings.get(resourceType);
    if (listing === undefined) return;
    this.listings.set(
      resourceType,
      listing.then((map) => {
        const copy = new Map(map);
        copy.delete(id);
        return copy;
      }),
    );
  }

  /**
   * Changes a resource of a kept listing with `change` (a PATCH answered without the resource). When
   * `change` throws, the listing is dropped, to be read again when next needed.
   */
  update(resourceType: string, id: string, change: (resource: CachedResource) => CachedResource): void {
    const listing = this.listings.get(resourceType);
    if (listing === undefined) return;
    const updated = listing.then((map) => {
      const current = map.get(id);
      if (current === undefined) return map;
      return new Map(map).set(id, change(current));
    });
    this.listings.set(resourceType, updated);
    updated.catch(() => {
      if (this.listings.get(resourceType) === updated) this.listings.delete(resourceType);
    });
  }

  /** Forgets a kept listing (when a change could not be followed). */
  invalidate(resourceType: string): void {
    this.listings.delete(resourceType);
  }
}
