/**
 * An in-memory SCIM 2.0 service provider on `node:http`, for tests of provisioning code: Users,
 * Groups, discovery, filters, PATCH, ETags, pagination, authentication, plus switchable quirks
 * and seeded faults.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { findKey, isPlainObject } from '../scim/attributes';
import { isScimProtocolError } from '../scim/errors/ScimProtocolError';
import { isScimValidationError } from '../scim/errors/ScimValidationError';
import type { FilterNode } from '../scim/filter/ast';
import { defaultCaseExact, type MatchFilterOptions, matchesFilter, parseFilter } from '../scim/filter/index';
import { parseGroup, parsePatchOp, parseUser } from '../scim/models/index';
import { applyPatch } from '../scim/patch/index';
import { SCHEMAS } from '../scim/schemas';
import { authenticate, type ScimTestServerAuth, secretsEqual, validateAuth } from './auth';
import {
  type DiscoveryContext,
  resourceTypes,
  type ScimTestServerSchemaExtension,
  schemas,
  serviceProviderConfig,
} from './discovery';
import { FaultInjector, type ScimTestServerFaults } from './faults';
import { type AttributeSelection, applyAttributeSelection, parseAttributeSelection } from './projection';
import { mergeQuirks, NO_QUIRKS, type ResolvedQuirks, type ScimTestServerQuirks } from './quirks';
import { isRequestRejection, RequestRejection } from './RequestRejection';
import { RateLimiter, type ScimTestServerRateLimit } from './rate-limiter';
import { etagOf, locationOf, renderResource } from './render';
import { type ScimTestServerStats, StatsCounter } from './stats';
import {
  findNull,
  ResourceStore,
  readAttribute,
  type StoredResource,
  type StoredResourceType,
  withoutUnassigned,
} from './store';

/**
 * Options of {@link ScimTestServer.start}.
 *
 * @example
 * ```ts
 * const server = await ScimTestServer.start({
 *   auth: { type: 'bearer', token: 'test-token' },
 *   quirks: { pageSizeCap: 50 },
 *   faults: { seed: 7, status503: { rate: 0.1 } },
 * });
 * ```
 */
export interface ScimTestServerOptions {
  /**
   * Credentials the server requires. Without them, every request is accepted.
   * @default undefined
   */
  readonly auth?: ScimTestServerAuth;
  /**
   * Path under which the SCIM endpoints are served; `baseUrl` ends with it.
   * @default '/scim/v2'
   */
  readonly basePath?: string;
  /**
   * TCP port on 127.0.0.1; 0 picks a free one.
   * @default 0
   */
  readonly port?: number;
  /** Deviations from RFC 7644 to imitate; see {@link ScimTestServerQuirks}. @default none */
  readonly quirks?: ScimTestServerQuirks;
  /** Faults to inject; see {@link ScimTestServerFaults}. @default none */
  readonly faults?: ScimTestServerFaults;
  /** Answer 429 with `Retry-After` above a request rate; see {@link ScimTestServerRateLimit}. @default none */
  readonly rateLimit?: ScimTestServerRateLimit;
  /**
   * Page size of a list request without `count`.
   * @default 100
   */
  readonly defaultPageSize?: number;
  /**
   * Largest page size: a larger `count` is lowered to it (RFC 7644 section 3.4.2.4).
   * @default 1000
   */
  readonly maxPageSize?: number;
  /**
   * Whether group `displayName` must be unique (case-insensitive); a clash answers
   * `409 uniqueness`. `userName` is always unique.
   * @default true
   */
  readonly uniqueGroupDisplayName?: boolean;
  /**
   * Offer RFC 9865 cursor pagination (`cursor` query parameter, `nextCursor` in responses)
   * besides index pagination. Without it, a `cursor` parameter is ignored.
   * @default false
   */
  readonly cursorPagination?: boolean;
  /**
   * How request bodies are checked (the SDK's SCIM models): `'strict'` enforces RFC 7643 types.
   * @default 'strict'
   */
  readonly validation?: 'strict' | 'lenient';
  /**
   * What a `null` in a POST or PUT body means. `'clear'`: the attribute is unassigned (RFC 7643
   * section 2.5), so a PUT with `"title": null` clears `title`, as `[]` clears a multi-valued
   * attribute. `'reject'`: any `null` is answered `400 invalidValue`, as some services do (RFC 7644
   * lets a client clear by leaving the attribute out instead); `[]` still clears.
   * @default 'clear'
   */
  readonly nullValues?: 'clear' | 'reject';
  /**
   * Extension schemas to declare besides the enterprise user extension.
   * @default []
   */
  readonly schemaExtensions?: readonly ScimTestServerSchemaExtension[];
  /**
   * Largest request body accepted, in bytes; larger ones get 413.
   * @default 33554432 (32 MiB)
   */
  readonly maxBodyBytes?: number;
}

/** {@link ScimTestServerOptions} with every default applied. */
interface ResolvedServerOptions {
  readonly auth: ScimTestServerAuth | undefined;
  readonly basePath: string;
  readonly port: number;
  readonly quirks: ResolvedQuirks;
  readonly faults: ScimTestServerFaults | undefined;
  readonly rateLimit: ScimTestServerRateLimit | undefined;
  readonly defaultPageSize: number;
  readonly maxPageSize: number;
  readonly uniqueGroupDisplayName: boolean;
  readonly cursorPagination: boolean;
  readonly validation: 'strict' | 'lenient';
  readonly nullValues: 'clear' | 'reject';
  readonly schemaExtensions: readonly ScimTestServerSchemaExtension[];
  readonly maxBodyBytes: number;
}

function positiveInteger(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`${field} must be an integer >= 1`);
  return value;
}

/** Applies the defaults of {@link ScimTestServerOptions} and checks each field. */
function resolveServerOptions(options: ScimTestServerOptions): ResolvedServerOptions {
  validateAuth(options.auth);
  const basePath = (options.basePath ?? '/scim/v2').replace(/\/+$/, '');
  if (basePath !== '' && !basePath.startsWith('/')) throw new TypeError('basePath must start with "/"');
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new TypeError('port must be 0 to 65535');
  const defaultPageSize = positiveInteger(options.defaultPageSize, 100, 'defaultPageSize');
  const maxPageSize = positiveInteger(options.maxPageSize, 1000, 'maxPageSize');
  if (defaultPageSize > maxPageSize) throw new TypeError('defaultPageSize must not exceed maxPageSize');
  const validation = options.validation ?? 'strict';
  if (validation !== 'strict' && validation !== 'lenient') {
    throw new TypeError("validation must be 'strict' or 'lenient'");
  }
  const nullValues = options.nullValues ?? 'clear';
  if (nullValues !== 'clear' && nullValues !== 'reject') {
    throw new TypeError("nullValues must be 'clear' or 'reject'");
  }
  // Constructing them checks the shapes now rather than on the first request.
  new FaultInjector(options.faults);
  if (options.rateLimit !== undefined) new RateLimiter(options.rateLimit);
  return {
    auth: options.auth === undefined ? undefined : { ...options.auth },
    basePath,
    port,
    quirks: mergeQuirks(NO_QUIRKS, options.quirks ?? {}),
    faults: options.faults,
    rateLimit: options.rateLimit,
    defaultPageSize,
    maxPageSize,
    uniqueGroupDisplayName: options.uniqueGroupDisplayName ?? true,
    cursorPagination: options.cursorPagination ?? false,
    validation,
    nullValues,
    schemaExtensions: [...(options.schemaExtensions ?? [])],
    maxBodyBytes: positiveInteger(options.maxBodyBytes, 32 * 1024 * 1024, 'maxBodyBytes'),
  };
}

/** What a handler answers. */
interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A matched endpoint. */
interface Route {
  /** The route template, e.g. `/Users/:id`. */
  readonly template: string;
  readonly endpoint:
    | 'resource'
    | 'collection'
    | 'search'
    | 'ServiceProviderConfig'
    | 'Schemas'
    | 'ResourceTypes';
  readonly resourceType?: StoredResourceType;
  readonly id?: string;
}

/** The paging and selection parameters of a list request (query string or SearchRequest body). */
interface ListQuery {
  readonly filter?: unknown;
  readonly startIndex?: unknown;
  readonly count?: unknown;
  readonly cursor?: unknown;
  readonly attributes?: unknown;
  readonly excludedAttributes?: unknown;
}

/** The SCIM media type of every response body. */
const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

/** What snapshots show instead of a stored password. */
export const REDACTED_PASSWORD = '[REDACTED]';

/** The users and groups a {@link ScimTestServer} holds, as {@link ScimTestServer.snapshot} returns them. */
export interface ScimTestServerSnapshot {
  /** Users in creation order, as `GET /Users/{id}` returns them, with `password` (if set) redacted. */
  readonly users: Record<string, unknown>[];
  /** Groups in creation order, as `GET /Groups/{id}` returns them. */
  readonly groups: Record<string, unknown>[];
}

/**
 * An in-memory SCIM 2.0 service provider (RFC 7643/7644) on `node:http`, listening on 127.0.0.1,
 * for testing code that provisions users and groups. It behaves like a well-behaved service by
 * default and can imitate awkward ones: quirks ({@link ScimTestServerQuirks}), seeded faults
 * ({@link ScimTestServerFaults}) and a rate limit, each switchable while it runs.
 *
 * Endpoints (under `basePath`): `/Users` and `/Groups` (POST, GET list with `filter`,
 * `startIndex`, `count`, `attributes`, `excludedAttributes`, and RFC 9865 `cursor` when enabled;
 * `POST /.search`), `/Users/{id}` and `/Groups/{id}` (GET, PUT, PATCH, DELETE; `If-Match` and
 * `If-None-Match`), `/ServiceProviderConfig`, `/Schemas`, `/Schemas/{id}`, `/ResourceTypes`,
 * `/ResourceTypes/{id}`.
 *
 * Behaviour worth knowing:
 * - `userName` is unique ignoring case (409 `uniqueness`); group `displayName` too unless
 *   `uniqueGroupDisplayName: false`.
 * - Group `members` must reference existing users or groups (not the group itself), with a
 *   matching `type` when one is given; otherwise the write is refused with 400 `invalidValue`.
 *   Repeated members are stored once. Deleting a user or group removes it from every group.
 * - A user's read-only `groups` attribute is computed from group memberships, with `type`
 *   `direct` or `indirect` (through nested groups). `id`, `meta` and `groups` in a request body
 *   are ignored; a PATCH that targets them gets 400 `mutability`.
 * - `password` is stored but never returned. A PUT without `password` keeps the stored one.
 * - Request bodies that fail the SDK's models get 400 `invalidValue` (resources) or
 *   `invalidSyntax` (PatchOp, SearchRequest, bodies that are not JSON objects).
 * - An attribute given as `null`, or `[]` for a multi-valued one, is unassigned (RFC 7643 section
 *   2.5): a PUT that sends it clears the attribute (see `nullValues` to refuse `null` instead).
 * - Lists are in creation order; `sortBy` is ignored (`sort.supported` is false).
 * - Each request goes through, in order: reading the body, the rate limit, the faults (so an
 *   injected 503 comes before any 401), authentication, then the endpoint.
 *
 * @example
 * ```ts
 * import { ScimTestServer } from 'aquera-provisioner/testing';
 *
 * const server = await ScimTestServer.start({ auth: { type: 'bearer', token: 't0k3n' } });
 * try {
 *   const response = await fetch(`${server.baseUrl}/Users`, {
 *     method: 'POST',
 *     headers: { authorization: 'Bearer t0k3n', 'content-type': 'application/scim+json' },
 *     body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'bjensen' }),
 *   });
 *   console.log(response.status, server.stats().byRoute['POST /Users']); // 201 1
 *   console.log(server.snapshot().users.map((user) => user.userName)); // ['bjensen']
 * } finally {
 *   await server.close();
 * }
 * ```
 */
export class ScimTestServer {
  private readonly store: ResourceStore;
  private readonly counters = new StatsCounter();
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private readonly options: ResolvedServerOptions;
  private quirkState: ResolvedQuirks;
  private faultInjector: FaultInjector;
  private rateLimiter: RateLimiter | undefined;
  private authState: ScimTestServerAuth | undefined;
  private closed = false;
  private url = '';

  private constructor(
    private readonly server: Server,
    options: ResolvedServerOptions,
  ) {
    this.options = options;
    this.quirkState = options.quirks;
    this.faultInjector = new FaultInjector(options.faults);
    this.rateLimiter = options.rateLimit === undefined ? undefined : new RateLimiter(options.rateLimit);
    this.authState = options.auth;
    this.store = new ResourceStore({ uniqueGroupDisplayName: options.uniqueGroupDisplayName });
  }

  /**
   * Starts a server on 127.0.0.1 and resolves once it listens.
   *
   * @throws TypeError naming the option when an option is malformed.
   * @example
   * ```ts
   * const server = await ScimTestServer.start();
   * console.log(server.baseUrl); // http://127.0.0.1:41234/scim/v2
   * await server.close();
   * ```
   */
  static async start(options: ScimTestServerOptions = {}): Promise<ScimTestServer> {
    const resolved = resolveServerOptions(options);
    const http = createServer({ keepAlive: true });
    const instance = new ScimTestServer(http, resolved);
    http.on('request', (request: IncomingMessage, response: ServerResponse) => {
      instance.handle(request, response).catch(() => response.destroy());
    });
    http.on('connection', (socket: Socket) => {
      instance.sockets.add(socket);
      socket.on('close', () => instance.sockets.delete(socket));
    });
    http.on('clientError', (_error, socket: Socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(resolved.port, '127.0.0.1', () => {
        http.off('error', reject);
        resolve();
      });
    });
    const address = http.address() as AddressInfo;
    instance.url = `http://127.0.0.1:${address.port}${resolved.basePath}`;
    return instance;
  }

  /** The base URL of the SCIM endpoints, e.g. `http://127.0.0.1:41234/scim/v2` (no trailing slash). */
  get baseUrl(): string {
    return this.url;
  }

  /** The TCP port the server listens on. */
  get port(): number {
    return (this.server.address() as AddressInfo | null)?.port ?? 0;
  }

  /** The quirks in force, every field resolved. */
  get quirks(): ResolvedQuirks {
    return this.quirkState;
  }

  /**
   * Changes quirks while running. Fields not given keep their value; use `false` (or `0`, `[]`)
   * to turn one off, or {@link ScimTestServer.resetQuirks} to start over.
   *
   * @example
   * ```ts
   * server.setQuirks({ filterUnsupported: 'error400' });
   * server.setQuirks({ filterUnsupported: false }); // back to normal
   * ```
   */
  setQuirks(changes: ScimTestServerQuirks): void {
    this.quirkState = mergeQuirks(this.quirkState, changes);
  }

  /** Turns every quirk off, then applies `quirks` if given. */
  resetQuirks(quirks: ScimTestServerQuirks = {}): void {
    this.quirkState = mergeQuirks(NO_QUIRKS, quirks);
  }

  /** Replaces the fault configuration (`undefined`: no faults); the generators restart from the seed. */
  setFaults(faults: ScimTestServerFaults | undefined): void {
    this.faultInjector = new FaultInjector(faults);
  }

  /** Replaces the rate limit (`undefined`: none). */
  setRateLimit(rateLimit: ScimTestServerRateLimit | undefined): void {
    this.rateLimiter = rateLimit === undefined ? undefined : new RateLimiter(rateLimit);
  }

  /** Replaces the credentials the server requires (`undefined`: accept every request), e.g. to rotate a token. */
  setAuth(auth: ScimTestServerAuth | undefined): void {
    validateAuth(auth);
    this.authState = auth === undefined ? undefined : { ...auth };
  }

  /** Request counters since start or the last {@link ScimTestServer.resetStats}. */
  stats(): ScimTestServerStats {
    return this.counters.snapshot();
  }

  /** Sets every counter back to zero. */
  resetStats(): void {
    this.counters.reset();
  }

  /** How many users and groups are stored (cheaper than a snapshot at scale). */
  counts(): { users: number; groups: number } {
    return { users: this.store.users.size, groups: this.store.groups.size };
  }

  /**
   * Deep copies of every stored user and group, as the server would return them. A stored
   * password is shown as `'[REDACTED]'`, never in clear.
   */
  snapshot(): ScimTestServerSnapshot {
    return {
      users: this.store.orderedUsers().map((record) => this.copyOut(record)),
      groups: this.store.orderedGroups().map((record) => this.copyOut(record)),
    };
  }

  /** A deep copy of one user as the server returns it (password redacted), or `undefined`. */
  getUser(id: string): Record<string, unknown> | undefined {
    const record = this.store.users.get(id);
    return record === undefined ? undefined : this.copyOut(record);
  }

  /** A deep copy of one group as the server returns it, or `undefined`. */
  getGroup(id: string): Record<string, unknown> | undefined {
    const record = this.store.groups.get(id);
    return record === undefined ? undefined : this.copyOut(record);
  }

  /** Whether `password` is the stored password of user `id` (compared in constant time). */
  verifyPassword(id: string, password: string): boolean {
    const stored = this.store.users.get(id)?.password;
    return stored !== undefined && secretsEqual(password, stored);
  }

  /**
   * Stores a user directly, bypassing HTTP, authentication, quirks and faults, with the same
   * checks as `POST /Users`. An `id` in `resource` is kept (it must be unused).
   *
   * @returns the stored user as the server returns it.
   * @throws ScimValidationError when the resource fails the User model; ScimProtocolError
   *   `uniqueness` when the userName or id is taken.
   */
  addUser(resource: Record<string, unknown>): Record<string, unknown> {
    const id = typeof resource.id === 'string' ? resource.id : undefined;
    const { data, password } = this.userData(resource);
    return this.copyOut(this.store.createUser(data, password ?? undefined, id));
  }

  /**
   * Stores a group directly, with the same checks as `POST /Groups` (members must exist). An `id`
   * in `resource` is kept (it must be unused).
   *
   * @returns the stored group as the server returns it.
   * @throws ScimValidationError when the resource fails the Group model; ScimProtocolError
   *   `uniqueness` or `invalidValue` (unknown member).
   */
  addGroup(resource: Record<string, unknown>): Record<string, unknown> {
    const id = typeof resource.id === 'string' ? resource.id : undefined;
    return this.copyOut(this.store.createGroup(this.groupData(resource), id));
  }

  /** Removes every user and group (counters, quirks and faults are kept). */
  clear(): void {
    this.store.clear();
  }

  /** Stops listening, ends open connections and pending delays, and resolves when closed. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const pending of this.timers) {
      clearTimeout(pending.timer);
      pending.resolve();
    }
    this.timers.clear();
    const closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.server.closeAllConnections();
    await closing;
  }

  // ---------------------------------------------------------------------------------------------
  // Request pipeline

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = (request.method ?? 'GET').toUpperCase();
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const route = this.route(url.pathname);
    this.counters.request(method, `${method} ${route?.template ?? '(unknown)'}`);
    let lostResponse = false;
    let reply: Reply;
    try {
      const body = await readBody(request, this.options.maxBodyBytes);
      const retryAfter = this.rateLimiter?.take();
      if (retryAfter !== undefined) {
        this.counters.fault('rateLimited');
        throw new RequestRejection(429, 'Too many requests: rate limit exceeded', {
          headers: { 'Retry-After': String(retryAfter) },
        });
      }
      const decision = this.faultInjector.decide(method, route?.template ?? '(unknown)');
      if (decision.delayMs > 0) {
        this.counters.fault('slow');
        await this.sleep(decision.delayMs);
      }
      if (this.closed) {
        request.socket.destroy();
        return;
      }
      const outcome = decision.outcome;
      if (outcome !== undefined) {
        this.counters.fault(outcome.kind);
        if (outcome.kind === 'connectionReset') {
          request.socket.destroy();
          return;
        }
        if (outcome.kind === 'lostResponse') lostResponse = true;
        else {
          const status = outcome.kind === 'status500' ? 500 : outcome.kind === 'status503' ? 503 : 429;
          const retry = 'retryAfterSeconds' in outcome ? outcome.retryAfterSeconds : undefined;
          throw new RequestRejection(status, `Injected fault: ${outcome.kind}`, {
            ...(retry === undefined ? {} : { headers: { 'Retry-After': String(retry) } }),
          });
        }
      }
      authenticate(this.authState, request.headers.authorization);
      if (route === undefined) throw new RequestRejection(404, `No endpoint at ${url.pathname}`);
      reply = this.dispatch(method, route, url.searchParams, request, body);
    } catch (error) {
      reply = errorReply(error);
    }
    if (lostResponse) {
      request.socket.destroy();
      return;
    }
    this.send(response, reply);
  }

  private send(response: ServerResponse, reply: Reply): void {
    if (response.destroyed || response.headersSent) return;
    this.counters.status(reply.status);
    const headers: Record<string, string> = { ...reply.headers };
    let payload: string | undefined;
    if (reply.body !== undefined) {
      payload = JSON.stringify(reply.body);
      headers['Content-Type'] = SCIM_CONTENT_TYPE;
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    response.writeHead(reply.status, headers);
    response.end(payload);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const pending = {
        timer: setTimeout(() => {
          this.timers.delete(pending);
          resolve();
        }, ms),
        resolve,
      };
      this.timers.add(pending);
    });
  }

  private route(pathname: string): Route | undefined {
    const base = this.options.basePath;
    if (pathname !== base && !pathname.startsWith(`${base}/`)) return undefined;
    const segments = pathname
      .slice(base.length)
      .split('/')
      .filter((segment) => segment !== '');
    const [first, second, ...rest] = segments;
    if (first === undefined || rest.length > 0) return undefined;
    if (first === 'Users' || first === 'Groups') {
      const resourceType: StoredResourceType = first === 'Users' ? 'User' : 'Group';
      if (second === undefined) return { template: `/${first}`, endpoint: 'collection', resourceType };
      if (second === '.search') return { template: `/${first}/.search`, endpoint: 'search', resourceType };
      return { template: `/${first}/:id`, endpoint: 'resource', resourceType, id: safeDecode(second) };
    }
    if (first === 'ServiceProviderConfig' && second === undefined) {
      return { template: '/ServiceProviderConfig', endpoint: 'ServiceProviderConfig' };
    }
    if (first === 'Schemas' || first === 'ResourceTypes') {
      return second === undefined
        ? { template: `/${first}`, endpoint: first }
        : { template: `/${first}/:id`, endpoint: first, id: safeDecode(second) };
    }
    return undefined;
  }

  private dispatch(
    method: string,
    route: Route,
    query: URLSearchParams,
    request: IncomingMessage,
    rawBody: Buffer,
  ): Reply {
    const allow = (methods: string) => {
      throw new RequestRejection(405, `Method ${method} is not allowed on ${route.template}`, {
        headers: { Allow: methods },
      });
    };
    const type = route.resourceType;
    switch (route.endpoint) {
      case 'ServiceProviderConfig':
      case 'Schemas':
      case 'ResourceTypes':
        if (method !== 'GET') return allow('GET');
        return this.discovery(route);
      case 'search':
        if (method !== 'POST') return allow('POST');
        return this.list(type!, searchRequest(parseJsonObject(rawBody, 'SearchRequest')));
      case 'collection':
        if (method === 'GET') return this.list(type!, queryOf(query));
        if (method === 'POST') return this.create(type!, parseJsonObject(rawBody, type!));
        return allow('GET, POST');
      case 'resource': {
        const id = route.id!;
        const ifMatch = header(request, 'if-match');
        if (method === 'GET') {
          return this.read(type!, id, queryOf(query), header(request, 'if-none-match'));
        }
        if (method === 'PUT') return this.replace(type!, id, parseJsonObject(rawBody, type!), ifMatch);
        if (method === 'PATCH') {
          if (this.quirkState.patchUnsupported !== false) {
            const status = this.quirkState.patchUnsupported;
            throw new RequestRejection(status, 'PATCH is not supported by this service provider', {
              ...(status === 405 ? { headers: { Allow: 'GET, PUT, DELETE' } } : {}),
            });
          }
          return this.patch(type!, id, parseJsonObject(rawBody, 'PatchOp'), ifMatch);
        }
        if (method === 'DELETE') return this.remove(type!, id, ifMatch);
        return allow(
          this.quirkState.patchUnsupported === false ? 'GET, PUT, PATCH, DELETE' : 'GET, PUT, DELETE',
        );
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Discovery

  private discoveryContext(): DiscoveryContext {
    return {
      baseUrl: this.url,
      quirks: this.quirkState,
      auth: this.authState,
      defaultPageSize: this.options.defaultPageSize,
      maxPageSize: this.options.maxPageSize,
      cursorPagination: this.options.cursorPagination,
      extensions: this.options.schemaExtensions,
    };
  }

  private discovery(route: Route): Reply {
    const endpoint = route.endpoint as 'ServiceProviderConfig' | 'Schemas' | 'ResourceTypes';
    if (this.quirkState.missingEndpoints.includes(endpoint)) {
      throw new RequestRejection(404, `No endpoint at /${endpoint}`);
    }
    const context = this.discoveryContext();
    if (endpoint === 'ServiceProviderConfig') return { status: 200, body: serviceProviderConfig(context) };
    const all = endpoint === 'Schemas' ? schemas(context) : resourceTypes(context);
    if (route.id !== undefined) {
      const found = all.find((item) => item.id === route.id);
      if (found === undefined) throw new RequestRejection(404, `${endpoint} ${route.id} not found`);
      return { status: 200, body: found };
    }
    return {
      status: 200,
      body: {
        schemas: [SCHEMAS.ListResponse],
        totalResults: all.length,
        itemsPerPage: all.length,
        startIndex: 1,
        Resources: all,
      },
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Resources

  private render(record: StoredResource): Record<string, unknown> {
    return renderResource(this.store, record, { baseUrl: this.url, etags: !this.quirkState.noEtags });
  }

  private copyOut(record: StoredResource): Record<string, unknown> {
    const resource = structuredClone(this.render(record));
    if (record.password !== undefined) resource.password = REDACTED_PASSWORD;
    return resource;
  }

  private resourceReply(status: number, record: StoredResource, selection?: AttributeSelection): Reply {
    const headers: Record<string, string> = {};
    if (!this.quirkState.noEtags) headers.ETag = etagOf(record);
    if (status === 201) headers.Location = locationOf(this.url, record);
    return { status, body: applyAttributeSelection(this.render(record), selection), headers };
  }

  private find(type: StoredResourceType, id: string): StoredResource {
    const record = (type === 'User' ? this.store.users : this.store.groups).get(id);
    if (record === undefined) throw new RequestRejection(404, `${type} ${id} not found`);
    return record;
  }

  /** RFC 7644 section 3.14: `If-Match` with `*` or a list of ETags; weak comparison. */
  private checkIfMatch(record: StoredResource, ifMatch: string | undefined): void {
    if (ifMatch === undefined || this.quirkState.noEtags) return;
    if (!etagListMatches(ifMatch, etagOf(record))) {
      throw new RequestRejection(412, `Precondition failed: ${record.resourceType} ${record.id} has changed`);
    }
  }

  /**
   * With `nullValues: 'reject'`, refuses a POST or PUT body holding a `null` (400 `invalidValue`).
   * Otherwise the `null` is taken as unassigned by {@link ScimTestServer.userData} and
   * {@link ScimTestServer.groupData}.
   */
  private checkNulls(body: Record<string, unknown>): void {
    if (this.options.nullValues !== 'reject') return;
    const path = findNull(body);
    if (path !== undefined) {
      throw new RequestRejection(400, `${path.join('.')}: null is not accepted; leave the attribute out`, {
        scimType: 'invalidValue',
      });
    }
  }

  /**
   * Validates a User body and splits it into stored attributes and password. Attributes given as
   * `null` or `[]` are left out first (RFC 7643 section 2.5: they are unassigned).
   */
  private userData(body: Record<string, unknown>): {
    data: Record<string, unknown>;
    password: string | null;
  } {
    const parsed = parseUser(withoutUnassigned(body), {
      mode: this.options.validation,
      requireId: false,
    }) as Record<string, unknown>;
    const { id: _id, meta: _meta, groups: _groups, password, ...data } = parsed;
    return { data, password: typeof password === 'string' ? password : null };
  }

  /**
   * Validates a Group body into stored attributes, leaving out those given as `null` or `[]`;
   * `members` given as `null` or `[]` is kept as an empty list (rendered `"members": []`).
   */
  private groupData(body: Record<string, unknown>): Record<string, unknown> {
    const assigned = withoutUnassigned(body);
    const membersKey = findKey(body, 'members');
    if (membersKey !== undefined && findKey(assigned, 'members') === undefined) assigned[membersKey] = [];
    const parsed = parseGroup(assigned, { mode: this.options.validation, requireId: false }) as Record<
      string,
      unknown
    >;
    const { id: _id, meta: _meta, ...data } = parsed;
    return data;
  }

  private create(type: StoredResourceType, body: Record<string, unknown>): Reply {
    if (type === 'Group' && this.quirkState.noGroupCreate !== false) {
      throw new RequestRejection(this.quirkState.noGroupCreate, 'This service provider cannot create groups');
    }
    this.checkNulls(body);
    if (type === 'User') {
      const { data, password } = this.userData(body);
      return this.resourceReply(201, this.store.createUser(data, password ?? undefined));
    }
    return this.resourceReply(201, this.store.createGroup(this.groupData(body)));
  }

  private read(
    type: StoredResourceType,
    id: string,
    query: ListQuery,
    ifNoneMatch: string | undefined,
  ): Reply {
    const record = this.find(type, id);
    const selection = selectionOf(query);
    if (
      ifNoneMatch !== undefined &&
      !this.quirkState.noEtags &&
      etagListMatches(ifNoneMatch, etagOf(record))
    ) {
      return { status: 304, headers: { ETag: etagOf(record) } };
    }
    return this.resourceReply(200, record, selection);
  }

  private replace(
    type: StoredResourceType,
    id: string,
    body: Record<string, unknown>,
    ifMatch?: string,
  ): Reply {
    const record = this.find(type, id);
    this.checkIfMatch(record, ifMatch);
    this.checkNulls(body);
    if (type === 'User') {
      const { data, password } = this.userData(body);
      return this.resourceReply(200, this.store.replaceUser(id, data, password ?? undefined));
    }
    return this.resourceReply(200, this.store.replaceGroup(id, this.groupData(body)));
  }

  private patch(
    type: StoredResourceType,
    id: string,
    body: Record<string, unknown>,
    ifMatch?: string,
  ): Reply {
    const record = this.find(type, id);
    this.checkIfMatch(record, ifMatch);
    let patchOp: ReturnType<typeof parsePatchOp>;
    try {
      patchOp = parsePatchOp(body, { mode: this.options.validation });
    } catch (error) {
      if (isScimValidationError(error))
        throw new RequestRejection(400, error.message, { scimType: 'invalidSyntax' });
      throw error;
    }
    if (this.quirkState.entraPatchOnly) {
      for (const operation of patchOp.Operations) {
        if (operation.op === 'remove' && typeof operation.path === 'string' && operation.path.includes('[')) {
          throw new RequestRejection(
            400,
            `Unsupported path ${JSON.stringify(operation.path)}: remove members with { path: "members", value: [...] }`,
            { scimType: 'invalidPath' },
          );
        }
      }
    }
    const current: Record<string, unknown> = { ...record.data, id: record.id };
    if (record.password !== undefined) current.password = record.password;
    const readOnly = type === 'User' ? ['id', 'meta', 'groups'] : ['id', 'meta'];
    const patched = applyPatch(current, patchOp, { readOnly }) as Record<string, unknown>;
    let updated: StoredResource;
    if (type === 'User') {
      const { data, password } = this.userData(patched);
      updated = this.store.replaceUser(id, data, password);
    } else {
      updated = this.store.replaceGroup(id, this.groupData(patched));
    }
    if (this.quirkState.patchNoContent) {
      return { status: 204, ...(this.quirkState.noEtags ? {} : { headers: { ETag: etagOf(updated) } }) };
    }
    return this.resourceReply(200, updated);
  }

  private remove(type: StoredResourceType, id: string, ifMatch?: string): Reply {
    if (type === 'Group' && this.quirkState.noGroupDelete !== false) {
      throw new RequestRejection(this.quirkState.noGroupDelete, 'This service provider cannot delete groups');
    }
    const record = this.find(type, id);
    this.checkIfMatch(record, ifMatch);
    if (type === 'User') this.store.deleteUser(id);
    else this.store.deleteGroup(id);
    return { status: 204 };
  }

  // ---------------------------------------------------------------------------------------------
  // Lists

  private list(type: StoredResourceType, query: ListQuery): Reply {
    const quirks = this.quirkState;
    const selection = selectionOf(query);
    const filterText = typeof query.filter === 'string' ? query.filter.trim() : undefined;
    if (query.filter !== undefined && typeof query.filter !== 'string') {
      throw new RequestRejection(400, 'filter must be a string', { scimType: 'invalidFilter' });
    }
    let ast: FilterNode | undefined;
    if (filterText !== undefined && filterText !== '') {
      if (quirks.filterUnsupported === 'error400') {
        throw new RequestRejection(400, 'Filtering is not supported', { scimType: 'invalidFilter' });
      }
      if (quirks.filterUnsupported !== 'ignore') {
        ast = parseFilter(filterText);
        const refused = namedAttributes(ast).find((name) =>
          quirks.unfilterableAttributes.some((attribute) => attribute.toLowerCase() === name),
        );
        if (refused !== undefined) {
          throw new RequestRejection(400, `Filtering on ${refused} is not supported`, {
            scimType: 'invalidFilter',
          });
        }
      }
    }
    const candidates = this.candidates(type, ast);
    const count = this.pageSize(query.count);

    if (this.options.cursorPagination && query.cursor !== undefined) {
      return this.cursorPage(candidates, query.cursor, count, selection);
    }

    let startIndex = parseIntegerParameter(query.startIndex, 'startIndex') ?? 1;
    if (startIndex < 1) startIndex = 1;
    const total = candidates.length;
    const offset = startIndex > total && quirks.startIndexPastEndReturnsFirstPage ? 0 : startIndex - 1;
    const page = candidates.slice(offset, offset + count);
    return {
      status: 200,
      body: {
        schemas: [SCHEMAS.ListResponse],
        totalResults: Math.max(0, total + quirks.totalResultsOffset),
        itemsPerPage: this.reportedItemsPerPage(page.length, query.count),
        startIndex,
        Resources: page.map((record) => applyAttributeSelection(this.render(record), selection)),
      },
    };
  }

  /** The page size for `count`: default when absent, 0 for negatives, at most `maxPageSize` and `pageSizeCap`. */
  private pageSize(countParameter: unknown): number {
    const requested = parseIntegerParameter(countParameter, 'count');
    let count = requested === undefined ? this.options.defaultPageSize : Math.max(0, requested);
    count = Math.min(count, this.options.maxPageSize);
    const cap = this.quirkState.pageSizeCap;
    return cap === false ? count : Math.min(count, cap);
  }

  private reportedItemsPerPage(actual: number, countParameter: unknown): number {
    const wrong = this.quirkState.wrongItemsPerPage;
    if (wrong === false) return actual;
    if (wrong === true) {
      const requested = parseIntegerParameter(countParameter, 'count');
      return requested === undefined ? this.options.defaultPageSize : Math.max(0, requested);
    }
    return wrong;
  }

  /** Resources matching `ast` (all without one), in creation order. */
  private candidates(type: StoredResourceType, ast: FilterNode | undefined): readonly StoredResource[] {
    const all = type === 'User' ? this.store.orderedUsers() : this.store.orderedGroups();
    if (ast === undefined) return all;
    const caseSensitive = this.quirkState.caseSensitiveDisplayName;
    // Fast path: `userName eq "x"` / `displayName eq "x"` through the indexes.
    if (
      ast.type === 'compare' &&
      ast.op === 'eq' &&
      typeof ast.value === 'string' &&
      ast.path.subAttr === undefined
    ) {
      const attr = ast.path.attr.toLowerCase();
      const schema = ast.path.schema?.toLowerCase();
      const core = (type === 'User' ? SCHEMAS.User : SCHEMAS.Group).toLowerCase();
      if (schema === undefined || schema === core) {
        if (type === 'User' && attr === 'username') return this.store.usersByUserName(ast.value);
        if (type === 'Group' && attr === 'displayname') {
          const found = this.store.groupsByDisplayName(ast.value);
          if (!caseSensitive) return found;
          return found.filter((record) => readAttribute(record.data, 'displayName') === ast.value);
        }
      }
    }
    const options: MatchFilterOptions | undefined = caseSensitive
      ? {
          caseExact: (path) =>
            (path.attr.toLowerCase() === 'displayname' && path.subAttr === undefined) ||
            defaultCaseExact(path),
        }
      : undefined;
    return all.filter((record) => matchesFilter(ast, this.render(record), options));
  }

  private cursorPage(
    candidates: readonly StoredResource[],
    cursorParameter: unknown,
    count: number,
    selection: AttributeSelection | undefined,
  ): Reply {
    if (typeof cursorParameter !== 'string') {
      throw new RequestRejection(400, 'cursor must be a string', { scimType: 'invalidCursor' });
    }
    let position = 0;
    if (cursorParameter !== '') {
      const seq = decodeCursor(cursorParameter);
      if (seq === undefined) {
        throw new RequestRejection(400, 'The cursor is not one this server issued', {
          scimType: 'invalidCursor',
        });
      }
      position = lowerBound(candidates, seq);
    }
    const page = candidates.slice(position, position + count);
    const next = candidates[position + count];
    const previous = position > 0 ? candidates[Math.max(0, position - count)] : undefined;
    const quirks = this.quirkState;
    return {
      status: 200,
      body: {
        schemas: [SCHEMAS.ListResponse],
        totalResults: Math.max(0, candidates.length + quirks.totalResultsOffset),
        itemsPerPage: page.length,
        ...(next === undefined ? {} : { nextCursor: encodeCursor(next.seq) }),
        ...(previous === undefined ? {} : { previousCursor: encodeCursor(previous.seq) }),
        Resources: page.map((record) => applyAttributeSelection(this.render(record), selection)),
      },
    };
  }
}

// -----------------------------------------------------------------------------------------------
// Helpers

/** The attribute names (lower-case) a filter compares, including those inside value paths. */
function namedAttributes(ast: FilterNode): string[] {
  const names: string[] = [];
  const walk = (node: FilterNode, prefix: string | undefined) => {
    switch (node.type) {
      case 'compare':
      case 'present': {
        const attr = node.path.attr.toLowerCase();
        names.push(prefix === undefined ? attr : prefix);
        break;
      }
      case 'and':
      case 'or':
        walk(node.left, prefix);
        walk(node.right, prefix);
        break;
      case 'not':
        walk(node.filter, prefix);
        break;
      case 'valuePath':
        walk(node.filter, node.path.attr.toLowerCase());
        break;
    }
  };
  walk(ast, undefined);
  return names;
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Whether an `If-Match`/`If-None-Match` value (`*` or a list of ETags) matches `etag`, weakly. */
function etagListMatches(headerValue: string, etag: string): boolean {
  const weak = (tag: string) => tag.trim().replace(/^W\//i, '');
  const wanted = weak(etag);
  return headerValue.split(',').some((tag) => tag.trim() === '*' || weak(tag) === wanted);
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) tooLarge = true;
    else chunks.push(buffer);
  }
  if (tooLarge) throw new RequestRejection(413, `Request body larger than ${limit} bytes`);
  return Buffer.concat(chunks);
}

function parseJsonObject(body: Buffer, what: string): Record<string, unknown> {
  if (body.length === 0) {
    throw new RequestRejection(400, `A ${what} request body is required`, { scimType: 'invalidSyntax' });
  }
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new RequestRejection(400, 'The request body is not valid JSON', { scimType: 'invalidSyntax' });
  }
  if (!isPlainObject(value)) {
    throw new RequestRejection(400, `The ${what} request body must be a JSON object`, {
      scimType: 'invalidSyntax',
    });
  }
  return value;
}

function queryOf(params: URLSearchParams): ListQuery {
  const get = (name: string) => {
    for (const [key, value] of params) if (key.toLowerCase() === name.toLowerCase()) return value;
    return undefined;
  };
  return {
    filter: get('filter'),
    startIndex: get('startIndex'),
    count: get('count'),
    cursor: get('cursor'),
    attributes: get('attributes'),
    excludedAttributes: get('excludedAttributes'),
  };
}

/** Reads a SearchRequest body (RFC 7644 section 3.4.3). */
function searchRequest(body: Record<string, unknown>): ListQuery {
  const read = (name: string) => {
    const key = findKey(body, name);
    return key === undefined ? undefined : body[key];
  };
  for (const name of ['attributes', 'excludedAttributes']) {
    const value = read(name);
    if (value !== undefined && !(Array.isArray(value) && value.every((item) => typeof item === 'string'))) {
      throw new RequestRejection(400, `SearchRequest ${name} must be an array of strings`, {
        scimType: 'invalidSyntax',
      });
    }
  }
  return {
    filter: read('filter'),
    startIndex: read('startIndex'),
    count: read('count'),
    cursor: read('cursor'),
    attributes: read('attributes'),
    excludedAttributes: read('excludedAttributes'),
  };
}

function selectionOf(query: ListQuery): AttributeSelection | undefined {
  const asList = (value: unknown) =>
    typeof value === 'string' || (Array.isArray(value) && value.every((item) => typeof item === 'string'))
      ? (value as string | string[])
      : undefined;
  return parseAttributeSelection(asList(query.attributes), asList(query.excludedAttributes));
}

function parseIntegerParameter(value: unknown, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const number =
    typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : Number.NaN;
  if (!Number.isInteger(number)) {
    throw new RequestRejection(400, `${name} must be an integer`, { scimType: 'invalidValue' });
  }
  return number;
}

function encodeCursor(seq: number): string {
  return Buffer.from(`seq:${seq}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): number | undefined {
  const match = /^seq:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match === null ? undefined : Number(match[1]);
}

/** Index of the first record whose `seq` is at least `seq` (records are in `seq` order). */
function lowerBound(records: readonly StoredResource[], seq: number): number {
  let low = 0;
  let high = records.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (records[middle]!.seq < seq) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Turns anything thrown while handling a request into a SCIM error reply. */
function errorReply(error: unknown): Reply {
  if (isRequestRejection(error)) {
    return {
      status: error.status,
      body: errorBody(error.status, error.message, error.scimType),
      headers: error.headers,
    };
  }
  if (isScimProtocolError(error)) {
    const scimType = error.status === 404 || error.status >= 500 ? undefined : error.scimType;
    return { status: error.status, body: errorBody(error.status, error.message, scimType) };
  }
  if (isScimValidationError(error)) {
    return { status: 400, body: errorBody(400, error.message, 'invalidValue') };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { status: 500, body: errorBody(500, `Internal server error: ${message}`, undefined) };
}

/** An error body per RFC 7644 section 3.12 (`status` as a string). */
function errorBody(status: number, detail: string, scimType: string | undefined): Record<string, unknown> {
  return {
    schemas: [SCHEMAS.Error],
    status: String(status),
    ...(scimType === undefined ? {} : { scimType }),
    detail,
  };
}
