import { EventEmitter } from 'eventemitter3';
import { parseGroup, parseUser, type ScimGroup, type ScimUser } from '../scim/models/index';
import { SCHEMAS } from '../scim/schemas';
import { AuthHeaders, SecretStore } from './auth';
import { type CallOptions, ClientContext, type Emit } from './context';
import { type Capabilities, Discovery } from './discovery';
import type { ScimClientEvents } from './events';
import { Fallbacks } from './fallbacks';
import { RequestLimiter } from './limiter';
import { type ResolvedClientOptions, resolveClientOptions, type ScimClientOptions } from './options';
import { RequestExecutor } from './request';
import { ResourceEndpoint } from './resources/endpoint';
import { GroupsResource } from './resources/groups';
import { UsersResource } from './resources/users';
import { SyncCache } from './sync-cache';
import { type ConnectionReport, type TestConnectionOptions, testConnection } from './test-connection';
import { createTransport, type Transport } from './transport';

/**
 * A client for any SCIM 2.0 service provider (RFC 7643/7644) over HTTP.
 *
 * - `users` and `groups`: create, get, replace, patch, delete, lookups by `userName` and
 *   `displayName`, listings over every page, and group membership changes.
 * - Robust against real services: retries with `Retry-After` and backoff, no duplicate on a lost
 *   create, pagination that never returns a silently short list, and fallbacks learned once per
 *   client (local filtering, PATCH emulation, the other member-removal form), each reported as a
 *   `fallback` event.
 * - An eventemitter3 `EventEmitter` of {@link ScimClientEvents} (`request`, `response`, `retry`,
 *   `fallback`, `warning`), every payload redacted. Errors thrown by listeners are ignored, so that a
 *   failing logger cannot fail a call.
 *
 * Lookups that fall back to listing every resource read that listing once per sync: call
 * {@link ScimClient.beginSync} before a reconciliation pass and {@link ScimClient.endSync} after it
 * (or use {@link ScimClient.withSync}). Outside a sync, such a lookup lists anew each time.
 *
 * @example
 * ```ts
 * const client = new ScimClient({
 *   baseUrl: 'https://scim.example.com/v2',
 *   auth: { type: 'bearer', token: process.env.SCIM_TOKEN! },
 * });
 * client.on('fallback', (event) => console.info(event.fallback, event.reason));
 * const report = await client.testConnection();
 * if (!report.ok) console.error(report.checks.filter((check) => !check.ok));
 * await client.withSync(async () => {
 *   const user = await client.users.findByUserName('bjensen@example.com');
 *   if (!user) await client.users.create({ userName: 'bjensen@example.com', active: true });
 * });
 * client.close();
 * ```
 */
export class ScimClient extends EventEmitter<ScimClientEvents> {
  /** The users of the service (`/Users`). */
  readonly users: UsersResource;
  /** The groups of the service (`/Groups`). */
  readonly groups: GroupsResource;
  /** The options in force, with every default applied (credentials included: do not log it). */
  private readonly resolvedOptions: ResolvedClientOptions;
  private readonly context: ClientContext;
  private readonly transport: Transport;

  constructor(options: ScimClientOptions) {
    super();
    const resolved = resolveClientOptions(options);
    this.resolvedOptions = resolved;
    const emit: Emit = (event, ...args) => {
      try {
        (this.emit as (name: string, ...payload: unknown[]) => boolean)(event, ...args);
      } catch {
        // A listener's failure must not fail the call that emitted the event.
      }
    };
    const secrets = new SecretStore(resolved.secrets);
    this.transport = createTransport(resolved);
    const executor = new RequestExecutor({
      options: resolved,
      transport: this.transport,
      limiter: new RequestLimiter({ concurrency: resolved.concurrency, rateLimit: resolved.rateLimit }),
      auth: new AuthHeaders(resolved.auth, secrets),
      secrets,
      emit,
    });
    const parseOptions = { mode: resolved.validation };
    this.context = new ClientContext({
      options: resolved,
      executor,
      discovery: new Discovery(executor, parseOptions, emit),
      fallbacks: new Fallbacks(emit, resolved.groups.removeForm),
      cache: new SyncCache(),
      emit,
    });
    this.users = new UsersResource(
      new ResourceEndpoint<ScimUser>(this.context, {
        resourceType: 'Users',
        schema: SCHEMAS.User,
        uniqueAttribute: 'userName',
        parse: parseUser,
      }),
    );
    this.groups = new GroupsResource(
      new ResourceEndpoint<ScimGroup>(this.context, {
        resourceType: 'Groups',
        schema: SCHEMAS.Group,
        uniqueAttribute: 'displayName',
        parse: parseGroup,
      }),
      this.context,
    );
  }

  /** The SCIM base URL requests go to (without a trailing slash). */
  get baseUrl(): string {
    return this.resolvedOptions.baseUrl;
  }

  /**
   * Reads `/ServiceProviderConfig`, `/Schemas` and `/ResourceTypes` (each optional) into a typed
   * {@link Capabilities}. What it learns (no filter, no PATCH, cursors) is applied to later calls.
   *
   * @example
   * ```ts
   * const { patch, filter, unavailable } = await client.discover();
   * ```
   */
  async discover(options: CallOptions = {}): Promise<Capabilities> {
    const capabilities = await this.context.discovery.discover(options.signal);
    await this.context.capabilities(options.signal);
    return capabilities;
  }

  /**
   * Tests the connection step by step (DNS, TCP, TLS, authentication, a read of `/Users?count=1`,
   * discovery) and says which step failed. Never throws for a failed step.
   *
   * @example
   * ```ts
   * const report = await client.testConnection();
   * for (const check of report.checks) console.log(check.ok ? 'ok  ' : 'FAIL', check.name, check.detail);
   * ```
   */
  testConnection(options?: TestConnectionOptions): Promise<ConnectionReport> {
    return testConnection(this.context, options);
  }

  /**
   * Opens a sync: until the matching {@link ScimClient.endSync}, the full listings that lookups fall
   * back to (where the service cannot filter) are read once and kept current with this client's own
   * writes. Syncs nest.
   */
  beginSync(): void {
    this.context.cache.begin();
  }

  /** Closes a sync opened with {@link ScimClient.beginSync}; the outermost one drops the kept listings. */
  endSync(): void {
    this.context.cache.end();
  }

  /** Runs `work` inside a sync ({@link ScimClient.beginSync} … {@link ScimClient.endSync}), even when it throws. */
  async withSync<T>(work: () => Promise<T>): Promise<T> {
    this.beginSync();
    try {
      return await work();
    } finally {
      this.endSync();
    }
  }

  /** Closes the idle keep-alive connections of the client's own agents. The client stays usable. */
  close(): void {
    this.transport.close();
  }
}
