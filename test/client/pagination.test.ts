import { describe, expect, it } from 'vitest';
import { isScimIncompleteListError } from '../../src/client/errors/ScimIncompleteListError';
import { type PageRequest, type PaginateOptions, paginate } from '../../src/client/pagination';
import type { ListResponse } from '../../src/scim/models/index';

interface Item {
  id: string;
}

const items = (count: number): Item[] =>
  Array.from({ length: count }, (_, index) => ({ id: `u${index + 1}` }));

/** A service over `data` with switchable misbehaviour. */
function service(
  data: Item[],
  behaviour: {
    cap?: number;
    pastEndFirstPage?: boolean;
    totalOffset?: number;
    itemsPerPage?: number;
    omitTotal?: boolean;
    stopAt?: number;
    cursor?: boolean;
  } = {},
) {
  const requests: PageRequest[] = [];
  const fetchPage = async (request: PageRequest): Promise<ListResponse<Item>> => {
    requests.push(request);
    const visible = behaviour.stopAt === undefined ? data : data.slice(0, behaviour.stopAt);
    const count = Math.min(request.count, behaviour.cap ?? Number.POSITIVE_INFINITY);
    let start =
      request.method === 'index' ? request.startIndex : request.cursor === '' ? 1 : Number(request.cursor);
    if (start > visible.length && behaviour.pastEndFirstPage) start = 1;
    const page = visible.slice(start - 1, start - 1 + count);
    const next = start - 1 + count < visible.length ? String(start + count) : undefined;
    return {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      ...(behaviour.omitTotal ? {} : { totalResults: data.length + (behaviour.totalOffset ?? 0) }),
      itemsPerPage: behaviour.itemsPerPage ?? page.length,
      startIndex: start,
      ...(behaviour.cursor && next !== undefined ? { nextCursor: next } : {}),
      Resources: page,
    };
  };
  return { fetchPage, requests };
}

function options(
  fetchPage: PaginateOptions<Item>['fetchPage'],
  extra: Partial<PaginateOptions<Item>> = {},
): PaginateOptions<Item> {
  return {
    resourceType: 'Users',
    fetchPage,
    idOf: (item) => item.id,
    pageSize: 10,
    maxPages: 1000,
    method: 'index',
    otherMethodAvailable: false,
    ...extra,
  };
}

async function collect(iterable: AsyncIterable<Item>): Promise<{ ids: string[]; error: unknown }> {
  const ids: string[] = [];
  try {
    for await (const item of iterable) ids.push(item.id);
    return { ids, error: undefined };
  } catch (error) {
    return { ids, error };
  }
}

describe('paginate', () => {
  it('reads every page and stops at totalResults without asking past the end', async () => {
    const { fetchPage, requests } = service(items(25));
    const { ids, error } = await collect(paginate(options(fetchPage)));
    expect(error).toBeUndefined();
    expect(ids).toEqual(items(25).map((item) => item.id));
    expect(requests.map((request) => (request.method === 'index' ? request.startIndex : 0))).toEqual([
      1, 11, 21,
    ]);
  });

  it('looks one page past a full last page, so that an under-reported totalResults hides nothing', async () => {
    const { fetchPage, requests } = service(items(25), { totalOffset: -5 });
    const { ids, error } = await collect(paginate(options(fetchPage)));
    expect(error).toBeUndefined();
    expect(ids).toHaveLength(25);
    expect(requests.map((request) => (request.method === 'index' ? request.startIndex : 0))).toEqual([
      1, 11, 21,
    ]);
    // A truthful service whose total is a multiple of the page size costs one extra (empty) page.
    const exact = service(items(20));
    expect((await collect(paginate(options(exact.fetchPage)))).ids).toHaveLength(20);
    expect(exact.requests).toHaveLength(3);
  });

  it('advances by the resources received, not by a wrong itemsPerPage, under a page size cap', async () => {
    const { fetchPage, requests } = service(items(23), { cap: 4, itemsPerPage: 10 });
    const { ids, error } = await collect(paginate(options(fetchPage)));
    expect(error).toBeUndefined();
    expect(ids).toHaveLength(23);
    expect(new Set(ids).size).toBe(23);
    expect(requests).toHaveLength(6);
  });

  it('does not loop when a start index past the end returns the first page again', async () => {
    // totalResults claims more than exist, so the client asks past the end and gets page one again.
    const { fetchPage, requests } = service(items(20), {
      pastEndFirstPage: true,
      totalOffset: 0,
      omitTotal: true,
    });
    const { ids, error } = await collect(paginate(options(fetchPage)));
    expect(ids).toHaveLength(20);
    expect(requests.length).toBeLessThan(10);
    // No totalResults: a repeated page cannot prove the end, so the listing is an error, not a short list.
    expect(isScimIncompleteListError(error)).toBe(true);
  });

  it('treats an empty page as the end when the service gives no totalResults', async () => {
    const { fetchPage } = service(items(15), { omitTotal: true });
    const { ids, error } = await collect(paginate(options(fetchPage)));
    expect(error).toBeUndefined();
    expect(ids).toHaveLength(15);
  });

  it('never returns a silently short list: stopping short of totalResults is ScimIncompleteListError', async () => {
    const { fetchPage } = service(items(30), { stopAt: 17 });
    const { ids, error } = await collect(paginate(options(fetchPage)));
    expect(ids).toHaveLength(17);
    expect(isScimIncompleteListError(error)).toBe(true);
    expect(error).toMatchObject({ expected: 30, received: 17, reason: 'emptyPage', resourceType: 'Users' });
  });

  it('completes a list another way (one larger page) when paging repeats, yielding each resource once', async () => {
    // Pages repeat after the second one, but a single large page has everything.
    const data = items(30);
    const requests: PageRequest[] = [];
    const fetchPage = async (request: PageRequest): Promise<ListResponse<Item>> => {
      requests.push(request);
      const start = request.method === 'index' ? request.startIndex : 1;
      const effectiveStart = request.count > 10 ? 1 : Math.min(start, 11);
      return {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
        totalResults: 30,
        Resources: data.slice(effectiveStart - 1, effectiveStart - 1 + request.count),
      };
    };
    const fallbacks: string[] = [];
    const { ids, error } = await collect(
      paginate(options(fetchPage, { onFallback: (reason) => fallbacks.push(reason) })),
    );
    expect(error).toBeUndefined();
    expect(ids).toEqual(data.map((item) => item.id));
    expect(fallbacks).toHaveLength(1);
    expect(fallbacks[0]).toMatch(/repeatedPage.*count=31/);
  });

  it('stops at the page ceiling with an error', async () => {
    const { fetchPage } = service(items(100));
    const { ids, error } = await collect(paginate(options(fetchPage, { maxPages: 3, maxPageSize: 10 })));
    expect(ids).toHaveLength(30);
    expect(error).toMatchObject({
      name: 'ScimIncompleteListError',
      reason: 'pageLimit',
      expected: 100,
      received: 30,
    });
  });

  it('follows RFC 9865 cursors until there is no nextCursor', async () => {
    const { fetchPage, requests } = service(items(25), { cursor: true });
    const { ids, error } = await collect(paginate(options(fetchPage, { method: 'cursor' })));
    expect(error).toBeUndefined();
    expect(ids).toHaveLength(25);
    expect(requests.map((request) => (request.method === 'cursor' ? request.cursor : '?'))).toEqual([
      '',
      '11',
      '21',
    ]);
  });

  it('stops on a repeated cursor and lists again with index pagination', async () => {
    const data = items(12);
    const fetchPage = async (request: PageRequest): Promise<ListResponse<Item>> => {
      if (request.method === 'cursor') {
        return { schemas: [], totalResults: 12, nextCursor: 'same', Resources: data.slice(0, 5) };
      }
      return {
        schemas: [],
        totalResults: 12,
        Resources: data.slice(request.startIndex - 1, request.startIndex - 1 + request.count),
      };
    };
    const { ids, error } = await collect(
      paginate(options(fetchPage, { method: 'cursor', otherMethodAvailable: true })),
    );
    expect(error).toBeUndefined();
    expect(ids).toEqual(data.map((item) => item.id));
  });
});
