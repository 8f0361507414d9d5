/**
 * Quirks of {@link ScimTestServer}: the ways real SCIM services deviate from RFC 7644, each
 * switchable at start (`quirks` option) and at run time (`server.setQuirks()`).
 */

/**
 * Deviations from RFC 7644 the test server can imitate. Every quirk is off by default, giving a
 * service that follows the RFC.
 *
 * @example
 * ```ts
 * const server = await ScimTestServer.start({ quirks: { filterUnsupported: 'ignore', pageSizeCap: 50 } });
 * server.setQuirks({ patchUnsupported: 501 }); // later, while running
 * ```
 */
export interface ScimTestServerQuirks {
  /**
   * Filtering is not supported. `'error400'`: any `filter` gets `400 invalidFilter`.
   * `'ignore'`: the filter is ignored and every resource is listed (the dangerous kind).
   * `/ServiceProviderConfig` then says `filter.supported: false`.
   * @default false
   */
  readonly filterUnsupported?: 'error400' | 'ignore' | false;
  /**
   * Filters naming any of these attributes (case-insensitive, e.g. `['displayName']`) get
   * `400 invalidFilter`, while other filters work: "filter on userName works, on displayName does
   * not". `/ServiceProviderConfig` still says filtering is supported.
   * @default []
   */
  readonly unfilterableAttributes?: readonly string[];
  /**
   * PATCH is not supported: every PATCH is answered with this status (405 with an `Allow`
   * header), and `/ServiceProviderConfig` says `patch.supported: false`.
   * @default false
   */
  readonly patchUnsupported?: 405 | 501 | false;
  /**
   * Groups cannot be created: `POST /Groups` is answered with this status (`true` means 501).
   * @default false
   */
  readonly noGroupCreate?: boolean | 403 | 405 | 501;
  /**
   * Groups cannot be deleted: `DELETE /Groups/{id}` is answered with this status (`true` means 501).
   * @default false
   */
  readonly noGroupDelete?: boolean | 403 | 405 | 501;
  /**
   * No ETags: no `ETag` header, no `meta.version`, `If-Match` and `If-None-Match` ignored, and
   * `/ServiceProviderConfig` says `etag.supported: false`.
   * @default false
   */
  readonly noEtags?: boolean;
  /**
   * A `startIndex` past the end of the results returns the first page again (with the requested
   * `startIndex` echoed), instead of an empty page. Seen in real services; loops naive clients.
   * @default false
   */
  readonly startIndexPastEndReturnsFirstPage?: boolean;
  /**
   * `itemsPerPage` is wrong. `true`: it reports the page size asked for (or the default page
   * size) instead of the number of resources in the page, so a short last page claims to be full.
   * A number: it always reports that number.
   * @default false
   */
  readonly wrongItemsPerPage?: boolean | number;
  /**
   * `totalResults` is off by this many (e.g. `5` claims five more resources than there are,
   * `-5` five fewer).
   * @default 0
   */
  readonly totalResultsOffset?: number;
  /**
   * Pages hold at most this many resources, whatever `count` asks for. `itemsPerPage` tells the
   * truth unless {@link ScimTestServerQuirks.wrongItemsPerPage} is set.
   * @default false
   */
  readonly pageSizeCap?: number | false;
  /**
   * Entra-style PATCH only: a `remove` whose path has a value filter (`members[value eq "x"]`)
   * gets `400 invalidPath`; members are removed only with the value-array form
   * `{ op: 'remove', path: 'members', value: [{ value: 'x' }] }`.
   * @default false
   */
  readonly entraPatchOnly?: boolean;
  /**
   * `displayName` filters compare case-sensitively (RFC 7643 says `caseExact: false`), so
   * `displayName eq "admins"` does not find `Admins`.
   * @default false
   */
  readonly caseSensitiveDisplayName?: boolean;
  /**
   * A successful PATCH answers `204 No Content` instead of `200` with the resource.
   * @default false
   */
  readonly patchNoContent?: boolean;
  /**
   * These discovery endpoints answer 404, as on services that lack them.
   * @default []
   */
  readonly missingEndpoints?: readonly ('ServiceProviderConfig' | 'Schemas' | 'ResourceTypes')[];
}

/** The quirks with every default applied. */
export interface ResolvedQuirks {
  readonly filterUnsupported: 'error400' | 'ignore' | false;
  readonly unfilterableAttributes: readonly string[];
  readonly patchUnsupported: 405 | 501 | false;
  readonly noGroupCreate: 403 | 405 | 501 | false;
  readonly noGroupDelete: 403 | 405 | 501 | false;
  readonly noEtags: boolean;
  readonly startIndexPastEndReturnsFirstPage: boolean;
  readonly wrongItemsPerPage: boolean | number;
  readonly totalResultsOffset: number;
  readonly pageSizeCap: number | false;
  readonly entraPatchOnly: boolean;
  readonly caseSensitiveDisplayName: boolean;
  readonly patchNoContent: boolean;
  readonly missingEndpoints: readonly ('ServiceProviderConfig' | 'Schemas' | 'ResourceTypes')[];
}

/** Every quirk off. */
export const NO_QUIRKS: ResolvedQuirks = {
  filterUnsupported: false,
  unfilterableAttributes: [],
  patchUnsupported: false,
  noGroupCreate: false,
  noGroupDelete: false,
  noEtags: false,
  startIndexPastEndReturnsFirstPage: false,
  wrongItemsPerPage: false,
  totalResultsOffset: 0,
  pageSizeCap: false,
  entraPatchOnly: false,
  caseSensitiveDisplayName: false,
  patchNoContent: false,
  missingEndpoints: [],
};

function refusalStatus(value: boolean | 403 | 405 | 501 | undefined, field: string): 403 | 405 | 501 | false {
  if (value === undefined || value === false) return false;
  if (value === true) return 501;
  if (value === 403 || value === 405 || value === 501) return value;
  throw new TypeError(`quirks.${field} must be a boolean, 403, 405 or 501`);
}

/**
 * Applies `changes` on top of `current`, checking each field. Fields not in `changes` keep their
 * value.
 *
 * @internal Used by {@link ScimTestServer}.
 */
export function mergeQuirks(current: ResolvedQuirks, changes: ScimTestServerQuirks): ResolvedQuirks {
  const has = (key: keyof ScimTestServerQuirks) => Object.hasOwn(changes, key);
  const pick = <K extends keyof ScimTestServerQuirks & keyof ResolvedQuirks>(key: K): ResolvedQuirks[K] =>
    (has(key) ? (changes[key] ?? NO_QUIRKS[key]) : current[key]) as ResolvedQuirks[K];

  const filterUnsupported = pick('filterUnsupported');
  if (filterUnsupported !== false && filterUnsupported !== 'error400' && filterUnsupported !== 'ignore') {
    throw new TypeError("quirks.filterUnsupported must be 'error400', 'ignore' or false");
  }
  const patchUnsupported = pick('patchUnsupported');
  if (patchUnsupported !== false && patchUnsupported !== 405 && patchUnsupported !== 501) {
    throw new TypeError('quirks.patchUnsupported must be 405, 501 or false');
  }
  const pageSizeCap = pick('pageSizeCap');
  if (pageSizeCap !== false && !(Number.isInteger(pageSizeCap) && pageSizeCap >= 1)) {
    throw new TypeError('quirks.pageSizeCap must be an integer >= 1 or false');
  }
  const wrongItemsPerPage = pick('wrongItemsPerPage');
  if (
    typeof wrongItemsPerPage !== 'boolean' &&
    !(Number.isInteger(wrongItemsPerPage) && wrongItemsPerPage >= 0)
  ) {
    throw new TypeError('quirks.wrongItemsPerPage must be a boolean or an integer >= 0');
  }
  const totalResultsOffset = pick('totalResultsOffset');
  if (!Number.isInteger(totalResultsOffset))
    throw new TypeError('quirks.totalResultsOffset must be an integer');

  return {
    filterUnsupported,
    unfilterableAttributes: [...pick('unfilterableAttributes')],
    patchUnsupported,
    noGroupCreate: has('noGroupCreate')
      ? refusalStatus(changes.noGroupCreate, 'noGroupCreate')
      : current.noGroupCreate,
    noGroupDelete: has('noGroupDelete')
      ? refusalStatus(changes.noGroupDelete, 'noGroupDelete')
      : current.noGroupDelete,
    noEtags: Boolean(pick('noEtags')),
    startIndexPastEndReturnsFirstPage: Boolean(pick('startIndexPastEndReturnsFirstPage')),
    wrongItemsPerPage,
    totalResultsOffset,
    pageSizeCap,
    entraPatchOnly: Boolean(pick('entraPatchOnly')),
    caseSensitiveDisplayName: Boolean(pick('caseSensitiveDisplayName')),
    patchNoContent: Boolean(pick('patchNoContent')),
    missingEndpoints: [...pick('missingEndpoints')],
  };
}
