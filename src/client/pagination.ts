/**
 * Listing every resource of a query across pages, safely on services that page badly.
 *
 * Index pagination (RFC 7644 section 3.4.2.4) stops on the first of:
 *
 * - an empty page;
 * - a page that brings nothing new (the previous page again, or the first page again for a
 *   `startIndex` past the end, as some services answer);
 * - the end the service announced: `startIndex + resources received > totalResults` (the number of
 *   resources actually received is used, never `itemsPerPage`, which some services get wrong); when
 *   that last page was full, one more page is asked for, so that a service that under-reports
 *   `totalResults` cannot hide resources past it (one extra request, answered empty or with the
 *   first page again by a truthful service);
 * - the `maxPages` ceiling.
 *
 * Cursor pagination (RFC 9865) follows `nextCursor` until there is none, and stops on a cursor it
 * has already used or on the ceiling.
 *
 * A listing is complete when it has read `totalResults` distinct resources (when the service gave
 * `totalResults`) or ended the way the protocol says a list ends (an empty page, no `nextCursor`).
 * An incomplete one is tried once more another way (cursor pagination when offered, then one
 * larger `count`); when that does not complete it either, the listing throws
 * `ScimIncompleteListError`. Each resource is yielded once, by `id`, whichever pass read it.
 */
import type { ListResponse } from '../scim/models/index';
import { type IncompleteListReason, ScimIncompleteListError } from './errors/ScimIncompleteListError';

/** One page to fetch: index (`startIndex`) or cursor (`cursor`, `''` for the first page). */
export type PageRequest =
  | { readonly method: 'index'; readonly startIndex: number; readonly count: number }
  | { readonly method: 'cursor'; readonly cursor: string; readonly count: number };

/** Options of {@link paginate}. */
export interface PaginateOptions<T> {
  /** What is listed, for errors: `Users`, `Groups`. */
  readonly resourceType: string;
  /** Fetches and parses one page. */
  readonly fetchPage: (request: PageRequest) => Promise<ListResponse<T>>;
  /** The resource's `id`. */
  readonly idOf: (item: T) => string;
  /** Resources asked for per page. */
  readonly pageSize: number;
  /** The most pages one pass reads. */
  readonly maxPages: number;
  /** Which method to use first. */
  readonly method: 'index' | 'cursor';
  /** Whether the other method may be tried when the first cannot complete the list. */
  readonly otherMethodAvailable: boolean;
  /** The service's largest page, when it said (`pagination.maxPageSize`, `filter.maxResults`). */
  readonly maxPageSize?: number | undefined;
  /** Called when a listing is retried another way, with the reason. */
  readonly onFallback?: (reason: string) => void;
}

interface PassOutcome {
  readonly complete: boolean;
  readonly reason: IncompleteListReason | 'end';
  readonly expected: number | undefined;
}

/**
 * Yields every resource of a listing once, following the rules above.
 *
 * @throws ScimIncompleteListError when the list could not be read completely in any way; the
 *   resources read until then have been yielded.
 * @example
 * ```ts
 * for await (const user of paginate({ resourceType: 'Users', fetchPage, idOf: (u) => u.id!, pageSize: 100,
 *   maxPages: 10_000, method: 'index', otherMethodAvailable: false })) console.log(user.userName);
 * ```
 */
export async function* paginate<T>(options: PaginateOptions<T>): AsyncGenerator<T, void, undefined> {
  const seen = new Set<string>();
  const first = yield* runPass(options, options.method, options.pageSize, seen);
  if (first.complete) return;
  let outcome = first;
  const describe = (pass: PassOutcome) =>
    `${pass.reason} after ${seen.size}${pass.expected === undefined ? '' : ` of ${pass.expected}`} resources`;

  if (options.otherMethodAvailable) {
    const other = options.method === 'index' ? 'cursor' : 'index';
    options.onFallback?.(
      `${options.method} pagination stopped (${describe(outcome)}); listing again with ${other} pagination`,
    );
    outcome = yield* runPass(options, other, options.pageSize, seen);
    if (outcome.complete) return;
  }
  const expected = outcome.expected ?? first.expected;
  const larger =
    expected === undefined
      ? undefined
      : Math.min(expected + 1, options.maxPageSize ?? Number.POSITIVE_INFINITY);
  if (larger !== undefined && larger > options.pageSize) {
    options.onFallback?.(`pagination stopped (${describe(outcome)}); listing again with count=${larger}`);
    outcome = yield* runPass(options, 'index', larger, seen);
    if (outcome.complete) return;
  }
  const reason: IncompleteListReason = outcome.reason === 'end' ? 'shortOfTotal' : outcome.reason;
  throw new ScimIncompleteListError({
    resourceType: options.resourceType,
    reason,
    expected: outcome.expected ?? first.expected,
    received: seen.size,
  });
}

/** One pass over the pages with one method; yields resources not seen before. */
async function* runPass<T>(
  options: PaginateOptions<T>,
  method: 'index' | 'cursor',
  pageSize: number,
  seen: Set<string>,
): AsyncGenerator<T, PassOutcome, undefined> {
  let expected: number | undefined;
  const seenInPass = new Set<string>();
  const usedCursors = new Set<string>();
  let startIndex = 1;
  let largestPage = 0;
  let probedPastEnd = false;
  let cursor = '';
  const finish = (reason: IncompleteListReason | 'end', protocolEnd: boolean): PassOutcome => ({
    complete: expected === undefined ? protocolEnd : seen.size >= expected,
    reason,
    expected,
  });

  for (let pages = 0; ; pages += 1) {
    if (pages >= options.maxPages) return finish('pageLimit', false);
    const request: PageRequest =
      method === 'index' ? { method, startIndex, count: pageSize } : { method, cursor, count: pageSize };
    const page = await options.fetchPage(request);
    if (page.totalResults !== undefined) expected = page.totalResults;
    const items = page.Resources;
    const ids = items.map(options.idOf);

    if (method === 'cursor') {
      for (const [index, item] of items.entries()) {
        const id = ids[index] as string;
        seenInPass.add(id);
        if (seen.has(id)) continue;
        seen.add(id);
        yield item;
      }
      const next = page.nextCursor;
      if (next === undefined || next === '') return finish('end', true);
      if (usedCursors.has(next) || next === cursor) return finish('repeatedCursor', false);
      usedCursors.add(cursor);
      cursor = next;
      continue;
    }

    if (ids.length === 0) return finish('emptyPage', true);
    if (ids.every((id) => seenInPass.has(id))) return finish('repeatedPage', false);
    for (const [index, item] of items.entries()) {
      const id = ids[index] as string;
      seenInPass.add(id);
      if (seen.has(id)) continue;
      seen.add(id);
      yield item;
    }
    startIndex += ids.length;
    // Full: as large as asked for, or as large as the earlier pages of a service that caps them.
    const full = ids.length >= pageSize || (largestPage > 0 && ids.length >= largestPage);
    largestPage = Math.max(largestPage, ids.length);
    if (expected !== undefined && startIndex > expected) {
      // A full last page may hide more than a service under-reporting totalResults admits: look once.
      if (!full || probedPastEnd) return finish('end', false);
      probedPastEnd = true;
    } else {
      probedPastEnd = false;
    }
  }
}
