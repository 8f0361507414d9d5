import { registerScimErrorName, ScimError } from '../../scim/errors/ScimError';

/**
 * Why a listing could not be completed:
 *
 * - `repeatedPage`: the service answered a page it had already sent (often the first page again
 *   for a `startIndex` past the end) before the list was complete;
 * - `emptyPage`: it answered an empty page before `totalResults` resources had come;
 * - `shortOfTotal`: it said it had no more (or its cursor ended) before `totalResults` had come;
 * - `pageLimit`: the `maxPages` option was reached first;
 * - `repeatedCursor`: it gave the same `nextCursor` twice.
 */
export type IncompleteListReason =
  | 'repeatedPage'
  | 'emptyPage'
  | 'shortOfTotal'
  | 'pageLimit'
  | 'repeatedCursor';

/**
 * A listing ended before every resource had been read, and no other way of listing (a larger page,
 * the other paging method) gave the complete list. The client never returns a shorter list
 * silently: a caller that took missing resources for deleted ones would delete or re-create them.
 *
 * The resources read before the error have already been yielded by the iterator.
 *
 * @example
 * ```ts
 * try {
 *   for await (const user of client.users.list()) seen.add(user.id);
 * } catch (error) {
 *   if (isScimIncompleteListError(error)) console.error(`${error.received} of ${error.expected} users read`);
 * }
 * ```
 */
export class ScimIncompleteListError extends ScimError {
  override name = 'ScimIncompleteListError';
  /** `Users` or `Groups` (or the endpoint listed). */
  readonly resourceType: string;
  /** Why the listing stopped short. */
  readonly reason: IncompleteListReason;
  /** How many resources the service said there are (`totalResults`), when it said. */
  readonly expected: number | undefined;
  /** How many distinct resources were read. */
  readonly received: number;

  constructor(init: {
    resourceType: string;
    reason: IncompleteListReason;
    expected: number | undefined;
    received: number;
    detail?: string;
  }) {
    const of = init.expected === undefined ? '' : ` of ${init.expected}`;
    const detail = init.detail === undefined ? '' : `; ${init.detail}`;
    super(
      `Listing ${init.resourceType} stopped after ${init.received}${of} resources (${init.reason})${detail}`,
    );
    this.resourceType = init.resourceType;
    this.reason = init.reason;
    this.expected = init.expected;
    this.received = init.received;
  }
}
registerScimErrorName('ScimIncompleteListError');

/** True when `value` is a {@link ScimIncompleteListError} from any copy of this package. */
export function isScimIncompleteListError(value: unknown): value is ScimIncompleteListError {
  return value instanceof Error && value.name === 'ScimIncompleteListError';
}
