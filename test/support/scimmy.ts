/**
 * A real third-party SCIM 2.0 service provider for integration tests: `scimmy` + `scimmy-routers`
 * on express 5, listening on 127.0.0.1 (port 0), with bearer authentication and in-memory
 * handlers for Users and Groups.
 *
 * SCIMMY keeps its configuration and resource declarations in process-wide singletons, so the
 * handlers are declared once and find their instance's store through the request context; two
 * harnesses can run in one process, but the last one started sets the shared
 * ServiceProviderConfig and both rewrite resource base paths on each request.
 *
 * Deviations of scimmy 1.3.5 / scimmy-routers 1.3.2 on express 5 from RFC 7643/7644, observed
 * through this harness (each asserted in test/testing/scimmy.test.ts, so an upgrade that fixes
 * one shows up):
 *
 * 1. Paging parameters of `GET` lists are ignored on express 5: scimmy-routers casts `startIndex`
 *    and `count` by assigning to `req.query`, which express 5 recomputes on every access, so every
 *    list answers the first 20 resources. This harness installs a query parser that fixes it
 *    (`castPagingParameters: false` reproduces the failure).
 * 2. A `startIndex` past the end of the results returns the first page again (with the requested
 *    `startIndex` echoed) instead of an empty page.
 * 3. `itemsPerPage` is the requested `count` (20 when absent), not the number of resources in the
 *    page: a short last page claims to be full.
 * 4. `count` has no maximum (`count=500000` is honoured) although `/ServiceProviderConfig`
 *    says `filter.maxResults: 200`.
 * 5. Filters compare strings case-sensitively, also for attributes RFC 7643 defines with
 *    `caseExact: false`: `userName eq "Alice"` does not find `alice`, nor `displayName eq
 *    "admins"` the group `Admins`.
 * 6. Some malformed filters are accepted: `userName eq` (no value) answers 200 with no results
 *    instead of 400 `invalidFilter` (unbalanced parentheses do get 400 `invalidFilter`).
 * 7. A PATCH `remove` whose value filter matches nothing (`emails[type eq "home"]`) answers
 *    204 instead of 400 `noTarget`; any PATCH that changes nothing answers 204 with no body.
 * 8. No SCIM ETags (`etag.supported: false`, no `meta.version`) but express adds its own weak
 *    `ETag` (a hash of the body) to every response, errors included; `If-Match` is ignored, so a
 *    PUT with a stale `If-Match` succeeds instead of answering 412.
 * 9. `POST` answers 201 without a `Location` header.
 * 10. A failed authentication answers 401 without a `WWW-Authenticate` header.
 *
 * Not scimmy's doing but this harness's, as a typical application's handlers would behave:
 * `userName` (case-insensitive) and group `displayName` (case-insensitive) are unique (409
 * `uniqueness`); group `members` are not checked against existing resources (an unknown id is
 * stored); a user's `groups` is computed from the groups' `members` (direct only); deleting a
 * resource removes it from every group; ids are `user-N` / `group-N`.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import express from 'express';
import SCIMMY from 'scimmy';
import SCIMMYRouters from 'scimmy-routers';

/** Options of {@link startScimmy}. */
export interface StartScimmyOptions {
  /**
   * Bearer token the service requires.
   * @default a random 32-character hex string
   */
  readonly token?: string;
  /**
   * Parse `startIndex` and `count` as numbers in express's query parser. scimmy-routers casts them
   * by assigning to `req.query`, which Express 5 recomputes on every access, so without this fix
   * every `GET` list ignores `startIndex` and `count` and answers the first 20 resources. Set
   * `false` to reproduce that (`POST /.search` pages correctly either way).
   * @default true
   */
  readonly castPagingParameters?: boolean;
}

/** A running scimmy service. */
export interface ScimmyHarness {
  /** Base URL of the SCIM endpoints, e.g. `http://127.0.0.1:40123/scim/v2`. */
  readonly baseUrl: string;
  /** The bearer token it requires. */
  readonly token: string;
  /** The stored users and groups (live objects, for assertions). */
  readonly store: ScimmyStore;
  /** Stops the server and ends open connections. */
  close(): Promise<void>;
}

/** What a harness stores, keyed by id. */
export interface ScimmyStore {
  readonly users: Map<string, Record<string, unknown>>;
  readonly groups: Map<string, Record<string, unknown>>;
}

type ScimResource = Record<string, unknown>;

/** The per-instance context scimmy passes to the handlers. */
interface HarnessContext {
  readonly store: ScimmyStore;
  nextId: number;
}

/** Reads the context that scimmy-routers passes to every handler. */
function contextOf(ctx: unknown): HarnessContext {
  if (typeof ctx === 'object' && ctx !== null && 'store' in ctx) return ctx as HarnessContext;
  throw new SCIMMY.Types.Error(500, null as unknown as string, 'scimmy harness context missing');
}

/** The subset of a scimmy resource instance the handlers read. */
interface ScimmyResourceLike {
  readonly id?: string;
  readonly filter?: { match(values: unknown[]): unknown[] };
}

function toPlain(value: unknown): ScimResource {
  return JSON.parse(JSON.stringify(value)) as ScimResource;
}

function conflict(message: string): Error {
  return new SCIMMY.Types.Error(409, 'uniqueness', message);
}

function notFound(kind: string, id: string): Error {
  return new SCIMMY.Types.Error(404, null as unknown as string, `${kind} ${id} not found`);
}

function sameName(a: unknown, b: unknown): boolean {
  return typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase();
}

/** Stamps `id` and `meta` dates, keeping `created` of an existing resource. */
function stamp(data: ScimResource, id: string, previous: ScimResource | undefined): ScimResource {
  const now = new Date();
  const previousMeta = previous?.meta as { created?: string } | undefined;
  const { schemas: _schemas, meta: _meta, ...attributes } = data;
  return {
    ...attributes,
    id,
    meta: { created: previousMeta?.created ?? now.toISOString(), lastModified: now.toISOString() },
  };
}

function egressOne(ctx: HarnessContext, kind: 'User' | 'Group', resource: ScimResource): ScimResource {
  if (kind === 'Group') return resource;
  const groups = [...ctx.store.groups.values()]
    .filter((group) =>
      (group.members as { value?: string }[] | undefined)?.some((m) => m.value === resource.id),
    )
    .map((group) => ({ value: group.id, display: group.displayName, type: 'direct' }));
  return groups.length > 0 ? { ...resource, groups } : resource;
}

let declared = false;

/** Declares the User and Group handlers once per process; they find their store in the context. */
function declareResources(): void {
  if (declared) return;
  declared = true;
  const egress = (kind: 'User' | 'Group') => (resource: ScimmyResourceLike, rawCtx: unknown) => {
    const ctx = contextOf(rawCtx);
    const map = kind === 'User' ? ctx.store.users : ctx.store.groups;
    if (resource.id !== undefined) {
      const found = map.get(resource.id);
      if (found === undefined) throw notFound(kind, resource.id);
      return egressOne(ctx, kind, found);
    }
    const all = [...map.values()].map((item) => egressOne(ctx, kind, item));
    return resource.filter === undefined ? all : resource.filter.match(all);
  };
  const ingress =
    (kind: 'User' | 'Group') => (resource: ScimmyResourceLike, instance: unknown, rawCtx: unknown) => {
      const ctx = contextOf(rawCtx);
      const map = kind === 'User' ? ctx.store.users : ctx.store.groups;
      const data = toPlain(instance);
      const nameKey = kind === 'User' ? 'userName' : 'displayName';
      for (const [otherId, other] of map) {
        if (otherId !== resource.id && sameName(other[nameKey], data[nameKey])) {
          throw conflict(`${nameKey} ${JSON.stringify(data[nameKey])} is already in use`);
        }
      }
      let id = resource.id;
      if (id !== undefined && !map.has(id)) throw notFound(kind, id);
      if (id === undefined) {
        ctx.nextId += 1;
        id = `${kind.toLowerCase()}-${ctx.nextId}`;
      }
      const stored = stamp(data, id, map.get(id));
      if (kind === 'User') delete stored.groups;
      map.set(id, stored);
      return egressOne(ctx, kind, stored);
    };
  const degress = (kind: 'User' | 'Group') => (resource: ScimmyResourceLike, rawCtx: unknown) => {
    const ctx = contextOf(rawCtx);
    const map = kind === 'User' ? ctx.store.users : ctx.store.groups;
    if (resource.id === undefined || !map.delete(resource.id)) throw notFound(kind, resource.id ?? '');
    for (const group of ctx.store.groups.values()) {
      const members = group.members as { value?: string }[] | undefined;
      if (members !== undefined) group.members = members.filter((member) => member.value !== resource.id);
    }
  };
  // scimmy's handler types are generic over its schema classes; these handlers work on plain objects.
  type UserIngress = Parameters<typeof SCIMMY.Resources.User.ingress>[0];
  type UserEgress = Parameters<typeof SCIMMY.Resources.User.egress>[0];
  type UserDegress = Parameters<typeof SCIMMY.Resources.User.degress>[0];
  type GroupIngress = Parameters<typeof SCIMMY.Resources.Group.ingress>[0];
  type GroupEgress = Parameters<typeof SCIMMY.Resources.Group.egress>[0];
  type GroupDegress = Parameters<typeof SCIMMY.Resources.Group.degress>[0];
  SCIMMY.Resources.declare(SCIMMY.Resources.User)
    .ingress(ingress('User') as unknown as UserIngress)
    .egress(egress('User') as unknown as UserEgress)
    .degress(degress('User') as unknown as UserDegress);
  SCIMMY.Resources.declare(SCIMMY.Resources.Group)
    .ingress(ingress('Group') as unknown as GroupIngress)
    .egress(egress('Group') as unknown as GroupEgress)
    .degress(degress('Group') as unknown as GroupDegress);
}

/** Express query parser giving numbers for the paging parameters, as scimmy-routers expects. */
function parseQuery(text: string): Record<string, string | number> {
  const query: Record<string, string | number> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    query[key] = (key === 'startIndex' || key === 'count') && /^-?\d+$/.test(value) ? Number(value) : value;
  }
  return query;
}

/** Compares a presented token with the expected one in constant time. */
function tokenMatches(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Starts scimmy + scimmy-routers on express 5 on 127.0.0.1, port 0.
 *
 * @example
 * ```ts
 * const scimmy = await startScimmy();
 * afterAll(() => scimmy.close());
 * await fetch(`${scimmy.baseUrl}/Users`, { headers: { authorization: `Bearer ${scimmy.token}` } });
 * ```
 */
export async function startScimmy(options: StartScimmyOptions = {}): Promise<ScimmyHarness> {
  declareResources();
  const token = options.token ?? randomBytes(16).toString('hex');
  const context: HarnessContext = { store: { users: new Map(), groups: new Map() }, nextId: 0 };
  let origin = '';
  const app = express();
  if (options.castPagingParameters ?? true) app.set('query parser', parseQuery);
  app.use(
    '/scim/v2',
    new SCIMMYRouters({
      type: 'bearer',
      docUri: 'https://example.com/scim-auth',
      handler: (request) => {
        const match = /^Bearer\s+(\S+)$/i.exec(request.header('authorization') ?? '');
        if (match === null || !tokenMatches(match[1]!, token)) throw new Error('Authorization failed');
        return 'scim-client';
      },
      context: () => context,
      baseUri: () => origin,
    }) as unknown as express.Router,
  );
  const server: Server = createServer(app);
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl: `${origin}/scim/v2`,
    token,
    store: context.store,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      }),
  };
}
