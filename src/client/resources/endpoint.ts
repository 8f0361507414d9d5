/**
 * One resource type's endpoint (`/Users` or `/Groups`): create, read, replace, patch, delete,
 * lookups with their fallbacks, and listings. `UsersResource` and `GroupsResource` are thin,
 * typed faces over it.
 */
import { joinUrl } from '../../internal/url';
import { findKey, parseAttributePath } from '../../scim/attributes';
import type { FilterNode } from '../../scim/filter/ast';
import {
  type FilterExpression,
  filter,
  matchesFilter,
  parseFilter,
  stringifyFilter,
} from '../../scim/filter/index';
import {
  type ListResponse,
  type PatchOp,
  type PatchOperation,
  parseListResponse,
} from '../../scim/models/index';
import type { ParseOptions } from '../../scim/models/parse-options';
import { applyPatch } from '../../scim/patch/index';
import { SCHEMAS } from '../../scim/schemas';
import type { CallOptions, ClientContext } from '../context';
import { isScimConflictError } from '../errors/ScimConflictError';
import { isScimHttpError, type ScimHttpError } from '../errors/ScimHttpError';
import { ScimResponseError } from '../errors/ScimResponseError';
import type { CaseSensitivity } from '../fallbacks';
import { type PageRequest, paginate } from '../pagination';

/** Options of `list()`. */
export interface ListOptions extends CallOptions {
  /**
   * Only resources matching this filter (a built `filter.eq(…)` or filter text). Sent to the service
   * when it filters, and always checked locally too, so that a service that ignores filters cannot
   * return resources that do not match.
   * @default every resource
   */
  readonly filter?: string | FilterExpression;
  /**
   * Resources asked for per page.
   * @default the client's `pageSize`
   */
  readonly pageSize?: number;
}

/** Options of `replace()`. */
export interface ReplaceOptions extends CallOptions {
  /** The version the change is based on (`meta.version`), sent as `If-Match`. */
  readonly etag?: string;
}

/** A resource with its (optional, before creation) `id`. */
export interface Resource {
  id?: string | undefined;
  schemas?: string[] | undefined;
  meta?: Record<string, unknown> | undefined;
  [key: string]: unknown;
}

/** Describes one resource type to the endpoint. */
export interface EndpointDefinition<T extends Resource> {
  /** `Users` or `Groups`: the endpoint path and the name in events and errors. */
  readonly resourceType: 'Users' | 'Groups';
  /** The core schema URN added to bodies that have no `schemas`. */
  readonly schema: string;
  /** The attribute a create is recognised by when its answer is lost (`userName`, `displayName`). */
  readonly uniqueAttribute: 'userName' | 'displayName';
  /** Reads one resource. */
  readonly parse: (input: unknown, options: ParseOptions) => T;
}

/** Statuses with which a service refuses a filter it cannot run. */
function isFilterRefusal(error: ScimHttpError): boolean {
  return (
    (error.status === 400 && (error.scimType === 'invalidFilter' || error.scimType === undefined)) ||
    error.status === 403 ||
    error.status === 501
  );
}

const MAX_EMULATION_ATTEMPTS = 3;

/** The operations of one resource type. */
export class ResourceEndpoint<T extends Resource> {
  private readonly context: ClientContext;
  private readonly definition: EndpointDefinition<T>;
  private readonly probes = new Map<string, Promise<CaseSensitivity>>();

  constructor(context: ClientContext, definition: EndpointDefinition<T>) {
    this.context = context;
    this.definition = definition;
  }

  private get path(): string {
    return `/${this.definition.resourceType}`;
  }

  private get type(): string {
    return this.definition.resourceType;
  }

  private parse(input: unknown): T {
    return this.definition.parse(input, { ...this.context.parseOptions, requireId: true });
  }

  private itemPath(id: string): string {
    if (typeof id !== 'string' || id === '')
      throw new TypeError(`${this.type}: id must be a non-empty string`);
    return `${this.path}/${encodeURIComponent(id)}`;
  }

  /**
   * Creates the resource (POST). When the answer is lost, the resource is looked up by its unique
   * attribute before any new attempt, so that it is never created twice. A `409` becomes a
   * `ScimConflictError` carrying the existing resource when it can be found.
   */
  async create(resource: T, call: CallOptions = {}): Promise<T> {
    const body = this.bodyOf(resource, { dropId: true });
    const uniqueValue = body[this.definition.uniqueAttribute];
    const signal = call.signal;
    const recoverCreate =
      typeof uniqueValue === 'string' && uniqueValue !== ''
        ? () => this.findBy(this.definition.uniqueAttribute, uniqueValue, { signal, fresh: true })
        : undefined;
    let data: unknown;
    let status: number;
    try {
      const result = await this.context.executor.execute({
        method: 'POST',
        path: this.path,
        body,
        signal,
        ...(recoverCreate === undefined ? {} : { recoverCreate }),
      });
      data = result.data;
      status = result.status;
    } catch (error) {
      if (isScimConflictError(error) && recoverCreate !== undefined) {
        const existing = await recoverCreate().catch(() => undefined);
        throw error.withExisting(existing);
      }
      throw error;
    }
    const created = this.parse(data);
    const createdValue = readString(created, this.definition.uniqueAttribute);
    if (
      typeof uniqueValue === 'string' &&
      (createdValue === undefined || !sameUniqueValue(createdValue, uniqueValue))
    ) {
      // Taking this answer would tie the new object to another account (a lying proxy, a wrong route).
      throw this.mismatch(
        'POST',
        this.path,
        status,
        `the answer to a create of ${this.definition.uniqueAttribute} ${JSON.stringify(uniqueValue)} is a resource with ${this.definition.uniqueAttribute} ${createdValue === undefined ? 'missing' : JSON.stringify(createdValue)}`,
      );
    }
    this.context.cache.upsert(this.type, created);
    this.context.fallbacks.resourceCreated(this.type);
    return created;
  }

  /** Reads one resource by id (GET). */
  async get(id: string, call: CallOptions = {}): Promise<T> {
    const path = this.itemPath(id);
    const result = await this.context.executor.execute({ method: 'GET', path, signal: call.signal });
    return this.checkId(this.parse(result.data), id, 'GET', path, result.status);
  }

  /** Replaces one resource (PUT), with `If-Match` when `etag` is given. */
  async replace(id: string, resource: T, call: ReplaceOptions = {}): Promise<T> {
    const body = { ...this.bodyOf(resource, { dropId: false }), id };
    const path = this.itemPath(id);
    const result = await this.context.executor.execute({
      method: 'PUT',
      path,
      body,
      signal: call.signal,
      expectBody: 'optional',
      ...(call.etag === undefined ? {} : { headers: { 'If-Match': call.etag } }),
    });
    const replaced = this.checkId(this.parse(result.data ?? body), id, 'PUT', path, result.status);
    this.context.cache.upsert(this.type, replaced);
    return replaced;
  }

  /**
   * Changes one resource with PATCH, or with GET + local `applyPatch` + PUT when PATCH is emulated
   * (the `patch` option, `/ServiceProviderConfig`, or a `405`/`501` learned once).
   *
   * @returns the changed resource, or `undefined` when the service answered `204 No Content`.
   */
  async patch(
    id: string,
    patch: PatchOp | readonly PatchOperation[],
    call: CallOptions = {},
  ): Promise<T | undefined> {
    const operations = Array.isArray(patch) ? patch : (patch as PatchOp).Operations;
    if (!Array.isArray(operations))
      throw new TypeError(`${this.type}.patch: expected a PatchOp or an array of operations`);
    if (operations.length === 0) return undefined;
    if (await this.patchIsEmulated(call.signal)) return this.emulatePatch(id, operations, call.signal);
    let data: unknown;
    let status = 200;
    try {
      const result = await this.context.executor.execute({
        method: 'PATCH',
        path: this.itemPath(id),
        body: { schemas: [SCHEMAS.PatchOp], Operations: operations },
        signal: call.signal,
        expectBody: 'optional',
      });
      data = result.data;
      status = result.status;
    } catch (error) {
      if (isScimHttpError(error) && (error.status === 405 || error.status === 501)) {
        this.context.fallbacks.emulatePatch(
          this.type,
          `PATCH ${this.path}/{id} answered HTTP ${error.status}`,
        );
        return this.emulatePatch(id, operations, call.signal);
      }
      throw error;
    }
    if (data === undefined) {
      this.context.cache.update(this.type, id, (cached) => applyPatch(cached, operations));
      return undefined;
    }
    const patched = this.checkId(this.parse(data), id, 'PATCH', this.itemPath(id), status);
    this.context.cache.upsert(this.type, patched);
    return patched;
  }

  /** True when PATCH is done by GET + apply + PUT for this resource type. */
  async patchIsEmulated(signal?: AbortSignal): Promise<boolean> {
    const strategy = this.context.options.patch[this.type === 'Users' ? 'users' : 'groups'];
    if (strategy === 'emulate') return true;
    await this.context.capabilities(signal);
    return this.context.fallbacks.isPatchEmulated(this.type);
  }

  /**
   * GET, apply the operations locally, PUT with `If-Match` when the service gave an ETag; on `412`
   * (someone changed it meanwhile) start again, at most three times.
   */
  async emulatePatch(id: string, operations: readonly PatchOperation[], signal?: AbortSignal): Promise<T> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= MAX_EMULATION_ATTEMPTS; attempt += 1) {
      const path = this.itemPath(id);
      const result = await this.context.executor.execute({ method: 'GET', path, signal });
      const current = this.checkId(this.parse(result.data), id, 'GET', path, result.status);
      const etag = await this.versionOf(current, result.headers.etag, signal);
      const next = applyPatch(current as Record<string, unknown>, operations) as T;
      // An attribute left empty is dropped by applyPatch; say "no members" explicitly to a PUT.
      if (this.type === 'Groups' && findKey(next, 'members') === undefined) (next as Resource).members = [];
      try {
        return await this.replace(id, next, {
          ...(signal === undefined ? {} : { signal }),
          ...(etag === undefined ? {} : { etag }),
        });
      } catch (error) {
        if (!(isScimHttpError(error) && error.status === 412)) throw error;
        lastError = error;
      }
    }
    throw lastError;
  }

  /**
   * The version to send as `If-Match`: `meta.version`, else the `ETag` header; none when the
   * service says it has no ETags (some frameworks add an `ETag` of their own to every answer).
   */
  async versionOf(
    resource: T,
    etagHeader: string | undefined,
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    const config = await this.context.capabilities(signal);
    if (config?.etag.supported === false) return undefined;
    const version = resource.meta?.version;
    return typeof version === 'string' && version !== '' ? version : etagHeader;
  }

  /** Deletes one resource (DELETE). */
  async delete(id: string, call: CallOptions = {}): Promise<void> {
    await this.context.executor.execute({
      method: 'DELETE',
      path: this.itemPath(id),
      signal: call.signal,
      expectBody: 'none',
    });
    this.context.cache.remove(this.type, id);
  }

  /**
   * The resource whose `attribute` equals `value` (case-insensitively, as RFC 7643 compares
   * `userName` and `displayName`), or `undefined`. Asks the service with a filter when it filters on
   * `attribute`; otherwise lists every resource (once per sync while one is open) and matches
   * locally. The first lookup that finds nothing checks once whether the service compares the
   * attribute case-sensitively (two requests), and matches locally from then on if it does.
   *
   * @param options.fresh - list anew instead of using the sync cache (after a lost create).
   */
  async findBy(
    attribute: string,
    value: string,
    options: { signal?: AbortSignal | undefined; fresh?: boolean } = {},
  ): Promise<T | undefined> {
    if (typeof value !== 'string') throw new TypeError(`${this.type}: ${attribute} must be a string`);
    const query = filter.eq(attribute, value);
    const signal = options.signal;
    await this.context.capabilities(signal);
    if (this.context.fallbacks.lookupMode(this.type, attribute) === 'filter') {
      const answer = await this.filterQuery(query.ast, attribute, signal);
      if (answer !== undefined) {
        if (answer.length > 0) return this.pick(answer, attribute, value);
        const sensitivity = await this.probeCaseSensitivity(attribute, value, signal);
        if (
          sensitivity !== 'sensitive' &&
          this.context.fallbacks.lookupMode(this.type, attribute) === 'filter'
        ) {
          return undefined;
        }
      }
    }
    const all = await this.listAll(signal, options.fresh === true);
    const matches = all.filter((resource) => matchesFilter(query.ast, resource));
    return matches.length === 0 ? undefined : this.pick(matches, attribute, value);
  }

  /**
   * Every resource, as a listing (kept for the sync while one is open; read anew with `fresh`,
   * and then kept in place of the old one).
   */
  async listAll(signal: AbortSignal | undefined, fresh = false): Promise<T[]> {
    const load = async () => {
      const items: T[] = [];
      for await (const item of this.pages(undefined, undefined, signal)) items.push(item);
      return items;
    };
    if (fresh) {
      const items = await load();
      this.context.cache.store(this.type, items);
      return items;
    }
    return this.context.cache.all(this.type, load);
  }

  /**
   * How many resources the service holds: `totalResults` of one `GET` listing with
   * `startIndex=1&count=1` (RFC 7644 section 3.4.2.4), so at most one resource comes back with it.
   * `undefined` when the answer has no usable `totalResults` (services that page with cursors may
   * leave it out).
   */
  async count(call: CallOptions = {}): Promise<number | undefined> {
    const result = await this.context.executor.execute({
      method: 'GET',
      path: this.path,
      query: { startIndex: 1, count: 1 },
      signal: call.signal,
    });
    const data = result.data;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
    const key = findKey(data as Record<string, unknown>, 'totalResults');
    const total = key === undefined ? undefined : (data as Record<string, unknown>)[key];
    return typeof total === 'number' && Number.isSafeInteger(total) && total >= 0 ? total : undefined;
  }

  /**
   * Lists resources across every page, optionally filtered. See {@link ListOptions.filter}.
   */
  async *list(options: ListOptions = {}): AsyncGenerator<T, void, undefined> {
    const ast =
      options.filter === undefined
        ? undefined
        : typeof options.filter === 'string'
          ? parseFilter(options.filter)
          : options.filter.ast;
    const signal = options.signal;
    await this.context.capabilities(signal);
    if (ast === undefined) {
      yield* this.pages(undefined, options.pageSize, signal);
      return;
    }
    const attributes = filterAttributes(ast);
    const yielded = new Set<string>();
    if (
      attributes.every((attribute) => this.context.fallbacks.lookupMode(this.type, attribute) === 'filter')
    ) {
      try {
        for await (const item of this.pages(ast, options.pageSize, signal)) {
          if (!matchesFilter(ast, item)) {
            for (const attribute of attributes) {
              this.context.fallbacks.useLocalFilter(
                this.type,
                attribute,
                'the service ignored a filter (answered resources that do not match)',
              );
            }
            continue;
          }
          yielded.add(String(item.id));
          yield item;
        }
        return;
      } catch (error) {
        if (!(isScimHttpError(error) && isFilterRefusal(error))) throw error;
        for (const attribute of attributes) {
          this.context.fallbacks.useLocalFilter(
            this.type,
            attribute,
            `a filter was answered HTTP ${error.status}${error.scimType === undefined ? '' : ` ${error.scimType}`}`,
          );
        }
      }
    }
    for await (const item of this.pages(undefined, options.pageSize, signal)) {
      if (yielded.has(String(item.id)) || !matchesFilter(ast, item)) continue;
      yield item;
    }
  }

  /** The pages of a listing (with `filter` sent to the service when given), each resource once. */
  private async *pages(
    query: FilterNode | undefined,
    pageSize: number | undefined,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<T, void, undefined> {
    const config = await this.context.capabilities(signal);
    const pagination = config?.pagination;
    const maxPageSize = pagination?.maxPageSize ?? config?.filter.maxResults;
    let size = pageSize ?? this.context.options.pageSize;
    if (maxPageSize !== undefined && maxPageSize > 0) size = Math.min(size, maxPageSize);
    const cursorFirst = pagination?.cursor === true;
    const filterText = query === undefined ? undefined : stringifyFilter(query);
    const fetchPage = async (request: PageRequest): Promise<ListResponse<T>> => {
      const paging =
        request.method === 'index'
          ? { startIndex: request.startIndex, count: request.count }
          : { cursor: request.cursor, count: request.count };
      const result = await this.context.executor.execute({
        method: 'GET',
        path: this.path,
        query: { ...(filterText === undefined ? {} : { filter: filterText }), ...paging },
        signal,
      });
      return parseListResponse(result.data, this.definition.parse, {
        ...this.context.parseOptions,
        requireId: true,
      });
    };
    yield* paginate<T>({
      resourceType: this.type,
      fetchPage,
      idOf: (item) => String(item.id),
      pageSize: size,
      maxPages: this.context.options.maxPages,
      method: cursorFirst ? 'cursor' : 'index',
      otherMethodAvailable: cursorFirst ? pagination?.index !== false : false,
      maxPageSize,
      onFallback: (reason) => this.context.fallbacks.paginationFallback(this.type, reason),
    });
  }

  /**
   * Runs a filter query for a lookup. Returns the matching resources, or `undefined` when the
   * service refused or ignored the filter (the lookup then goes local, as learned for good).
   */
  private async filterQuery(
    ast: FilterNode,
    attribute: string,
    signal: AbortSignal | undefined,
  ): Promise<T[] | undefined> {
    let page: ListResponse<T>;
    try {
      const result = await this.context.executor.execute({
        method: 'GET',
        path: this.path,
        query: { filter: stringifyFilter(ast) },
        signal,
      });
      page = parseListResponse(result.data, this.definition.parse, {
        ...this.context.parseOptions,
        requireId: true,
      });
    } catch (error) {
      if (isScimHttpError(error) && isFilterRefusal(error)) {
        this.context.fallbacks.useLocalFilter(
          this.type,
          attribute,
          `GET ${this.path}?filter=${attribute} eq … answered HTTP ${error.status}${error.scimType === undefined ? '' : ` ${error.scimType}`}`,
        );
        return undefined;
      }
      throw error;
    }
    const matching = page.Resources.filter((resource) => matchesFilter(ast, resource));
    if (matching.length < page.Resources.length) {
      this.context.fallbacks.useLocalFilter(
        this.type,
        attribute,
        `GET ${this.path}?filter=${attribute} eq … answered resources that do not match (the filter was ignored)`,
      );
      return undefined;
    }
    return matching;
  }

  /**
   * Once per attribute: does the service compare it case-sensitively? Reads one resource as a
   * sample and looks it up by its value with the case of every letter swapped. A service that does
   * not find it compares case-sensitively (RFC 7643 says `userName` and `displayName` are
   * `caseExact: false`), and lookups by that attribute go local from then on.
   */
  private probeCaseSensitivity(
    attribute: string,
    value: string,
    signal: AbortSignal | undefined,
  ): Promise<CaseSensitivity> {
    const fallbacks = this.context.fallbacks;
    const known = fallbacks.caseSensitivityOf(this.type, attribute);
    if (known !== 'unknown' || swapCase(value) === value) return Promise.resolve(known);
    const key = attribute.toLowerCase();
    let probe = this.probes.get(key);
    if (probe === undefined) {
      probe = this.runCaseProbe(attribute, signal).finally(() => this.probes.delete(key));
      this.probes.set(key, probe);
    }
    return probe;
  }

  private async runCaseProbe(attribute: string, signal: AbortSignal | undefined): Promise<CaseSensitivity> {
    const fallbacks = this.context.fallbacks;
    const samplePage = await this.context.executor.execute({
      method: 'GET',
      path: this.path,
      query: { startIndex: 1, count: 1 },
      signal,
    });
    const sampleList = parseListResponse(samplePage.data, this.definition.parse, {
      ...this.context.parseOptions,
      requireId: true,
    });
    const attributePath = parseAttributePath(attribute);
    const sample = sampleList.Resources.find((resource) => {
      const sampleValue = readString(resource, attributePath.attr);
      return sampleValue !== undefined && swapCase(sampleValue) !== sampleValue;
    });
    if (sample === undefined) {
      fallbacks.setCaseSensitivity(this.type, attribute, 'noSample');
      return 'noSample';
    }
    const sampleValue = readString(sample, attributePath.attr) as string;
    const swapped = filter.eq(attribute, swapCase(sampleValue));
    const found = await this.filterQuery(swapped.ast, attribute, signal);
    if (found === undefined) return 'unknown';
    const sensitivity: CaseSensitivity = found.some((resource) => resource.id === sample.id)
      ? 'insensitive'
      : 'sensitive';
    fallbacks.setCaseSensitivity(this.type, attribute, sensitivity);
    if (sensitivity === 'sensitive') {
      this.context.emit('warning', {
        code: 'filterCaseSensitive',
        message: `the service compares ${this.type} ${attribute} case-sensitively in filters, although RFC 7643 says it must not`,
      });
      fallbacks.useLocalFilter(this.type, attribute, `filters on ${attribute} are case-sensitive`);
    }
    return sensitivity;
  }

  /** Picks one of several matches, preferring an exact value; warns when the choice is ambiguous. */
  private pick(matches: readonly T[], attribute: string, value: string): T {
    const exact = matches.filter((resource) => readString(resource, attribute) === value);
    const candidates = exact.length > 0 ? exact : matches;
    if (candidates.length > 1) {
      this.context.emit('warning', {
        code: 'ambiguousLookup',
        message: `${candidates.length} ${this.type} have ${attribute} equal to the value looked up; the first is used`,
      });
    }
    return candidates[0] as T;
  }

  /** `resource` when its `id` is the one asked about; a `mismatch` error otherwise. */
  private checkId(resource: T, id: string, method: string, path: string, status: number): T {
    if (resource.id === id) return resource;
    throw this.mismatch(
      method,
      path,
      status,
      `the answer about ${this.type} id ${JSON.stringify(id)} is a resource with id ${JSON.stringify(resource.id)}`,
    );
  }

  /** The error for an answer that is about another resource than the request. */
  private mismatch(method: string, path: string, status: number, detail: string): ScimResponseError {
    const url = joinUrl(this.context.options.baseUrl, path, undefined);
    return new ScimResponseError({
      problem: 'mismatch',
      status,
      contentType: undefined,
      request: this.context.executor.redactRequest(method, url, {}),
      detail,
    });
  }

  /** A copy of a resource to send: `schemas` filled in when missing, `meta` (read-only) left out. */
  private bodyOf(resource: T, options: { dropId: boolean }): Record<string, unknown> {
    if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) {
      throw new TypeError(`${this.type}: a resource must be an object`);
    }
    const { meta: _meta, ...rest } = resource as Record<string, unknown>;
    const body: Record<string, unknown> = { ...rest };
    if (options.dropId) delete body.id;
    if (!Array.isArray(body.schemas) || body.schemas.length === 0) body.schemas = [this.definition.schema];
    return body;
  }
}

/** The attribute names a filter compares (the top-level attribute of each path). */
function filterAttributes(ast: FilterNode): string[] {
  const names = new Set<string>();
  const pending: FilterNode[] = [ast];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    switch (node.type) {
      case 'and':
      case 'or':
        pending.push(node.left, node.right);
        break;
      case 'not':
        pending.push(node.filter);
        break;
      default:
        names.add(node.path.attr);
    }
  }
  return [...names];
}

function readString(resource: Record<string, unknown>, attribute: string): string | undefined {
  const lower = attribute.toLowerCase();
  for (const [key, value] of Object.entries(resource)) {
    if (key.toLowerCase() === lower && typeof value === 'string') return value;
  }
  return undefined;
}

/** userNames and displayNames compare case-insensitively (RFC 7643 `caseExact: false`), ignoring outer spaces. */
function sameUniqueValue(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

function swapCase(text: string): string {
  let out = '';
  for (const char of text) {
    const upper = char.toUpperCase();
    out += char === upper ? char.toLowerCase() : upper;
  }
  return out;
}
