/**
 * Discovery (RFC 7644 section 4): what a service says about itself in `/ServiceProviderConfig`,
 * `/Schemas` and `/ResourceTypes`, read into one typed {@link Capabilities} object. Each endpoint is
 * optional, since many services lack some of them.
 */
import { isScimValidationError } from '../scim/errors/ScimValidationError';
import {
  type ListResponse,
  parseListResponse,
  parseResourceType,
  parseSchema,
  parseServiceProviderConfig,
  type ResourceType,
  type ScimSchema,
  type ServiceProviderConfig,
} from '../scim/models/index';
import type { ParseOptions } from '../scim/models/parse-options';
import { isScimHttpError } from './errors/ScimHttpError';
import { isScimResponseError } from './errors/ScimResponseError';
import type { ScimClientEvents } from './events';
import type { RequestExecutor } from './request';

/** The discovery endpoints. */
export type DiscoveryEndpoint = 'ServiceProviderConfig' | 'Schemas' | 'ResourceTypes';

/** An endpoint that could not be read, and why (`HTTP 404`, `not JSON`, …). */
export interface UnavailableEndpoint {
  readonly endpoint: DiscoveryEndpoint;
  readonly reason: string;
}

/** Cursor and index pagination (RFC 9865), as far as the service said. */
export interface PaginationCapabilities {
  /** Index pagination (`startIndex`/`count`); `undefined` when not said (RFC 7644 services have it). */
  readonly index: boolean | undefined;
  /** Cursor pagination (`cursor`/`nextCursor`, RFC 9865). */
  readonly cursor: boolean | undefined;
  readonly defaultPaginationMethod: 'index' | 'cursor' | undefined;
  readonly defaultPageSize: number | undefined;
  readonly maxPageSize: number | undefined;
  /** @unit seconds */
  readonly cursorTimeout: number | undefined;
}

/**
 * What a service provider supports. Each flag is `undefined` when the service did not say (no
 * `/ServiceProviderConfig`, or a block missing from it); the client then assumes support and
 * learns otherwise from the answers (see the fallbacks).
 *
 * @example
 * ```ts
 * const capabilities = await client.discover();
 * if (capabilities.patch.supported === false) console.log('groups will be updated with PUT');
 * ```
 */
export interface Capabilities {
  /** `/ServiceProviderConfig` as read, or `undefined` when unavailable. */
  readonly serviceProviderConfig: ServiceProviderConfig | undefined;
  /** `/Schemas`, or `undefined` when unavailable. */
  readonly schemas: readonly ScimSchema[] | undefined;
  /** `/ResourceTypes`, or `undefined` when unavailable. */
  readonly resourceTypes: readonly ResourceType[] | undefined;
  readonly filter: { readonly supported: boolean | undefined; readonly maxResults: number | undefined };
  readonly patch: { readonly supported: boolean | undefined };
  readonly etag: { readonly supported: boolean | undefined };
  readonly sort: { readonly supported: boolean | undefined };
  readonly changePassword: { readonly supported: boolean | undefined };
  readonly bulk: {
    readonly supported: boolean | undefined;
    readonly maxOperations: number | undefined;
    readonly maxPayloadSize: number | undefined;
  };
  readonly pagination: PaginationCapabilities;
  /** The authentication scheme types the service lists (`oauthbearertoken`, `httpbasic`, …). */
  readonly authenticationSchemes: readonly string[];
  /** The endpoints that could not be read. */
  readonly unavailable: readonly UnavailableEndpoint[];
}

/** The part of {@link Capabilities} that comes from `/ServiceProviderConfig` alone. */
export type ServiceConfigSummary = Omit<Capabilities, 'schemas' | 'resourceTypes'>;

type Emit = <E extends keyof ScimClientEvents>(event: E, ...args: ScimClientEvents[E]) => void;

/** Statuses meaning "this endpoint is not there" rather than "something is broken". */
const ABSENT_STATUSES = new Set([400, 403, 404, 405, 406, 410, 415, 501]);

/** Reads the discovery endpoints for one client and keeps what it learned. */
export class Discovery {
  private readonly executor: RequestExecutor;
  private readonly parseOptions: ParseOptions;
  private readonly emit: Emit;
  private config: Promise<ServiceConfigSummary> | undefined;

  constructor(executor: RequestExecutor, parseOptions: ParseOptions, emit: Emit) {
    this.executor = executor;
    this.parseOptions = parseOptions;
    this.emit = emit;
  }

  /**
   * Reads all three endpoints in parallel. An endpoint that answers 404 (or 400, 403, 405, 406,
   * 410, 415, 501), a body that is not JSON, or a document that does not validate is listed in
   * `unavailable`; authentication failures (401), network errors and timeouts are thrown.
   */
  async discover(signal?: AbortSignal, options: { retry?: false } = {}): Promise<Capabilities> {
    const [config, schemas, resourceTypes] = await Promise.all([
      this.readEndpoint('ServiceProviderConfig', signal, (data) => this.parseConfig(data), options.retry),
      this.readEndpoint(
        'Schemas',
        signal,
        (data) => readList(data, parseSchema, this.parseOptions),
        options.retry,
      ),
      this.readEndpoint(
        'ResourceTypes',
        signal,
        (data) => readList(data, parseResourceType, this.parseOptions),
        options.retry,
      ),
    ]);
    const unavailable = [config, schemas, resourceTypes].flatMap((result) =>
      'unavailable' in result ? [result.unavailable] : [],
    );
    const summary = summarizeConfig('value' in config ? config.value : undefined, unavailable);
    this.config = Promise.resolve(summary);
    return {
      ...summary,
      schemas: 'value' in schemas ? schemas.value : undefined,
      resourceTypes: 'value' in resourceTypes ? resourceTypes.value : undefined,
    };
  }

  /**
   * `/ServiceProviderConfig`, read once and kept (also kept from {@link Discovery.discover}). A
   * failure other than an absent endpoint is not kept: the next call tries again.
   */
  serviceConfig(signal?: AbortSignal): Promise<ServiceConfigSummary> {
    if (this.config === undefined) {
      const pending = this.readEndpoint('ServiceProviderConfig', signal, (data) =>
        this.parseConfig(data),
      ).then((result) =>
        summarizeConfig(
          'value' in result ? result.value : undefined,
          'unavailable' in result ? [result.unavailable] : [],
        ),
      );
      this.config = pending;
      pending.catch(() => {
        if (this.config === pending) this.config = undefined;
      });
    }
    return this.config;
  }

  private parseConfig(data: unknown): ServiceProviderConfig {
    try {
      return parseServiceProviderConfig(data, this.parseOptions);
    } catch (error) {
      if (!isScimValidationError(error) || this.parseOptions.mode !== 'strict') throw error;
      this.emit('warning', {
        code: 'discoveryInvalid',
        message: `ServiceProviderConfig does not follow RFC 7643 (${error.message}); read leniently`,
      });
      return parseServiceProviderConfig(data, { ...this.parseOptions, mode: 'lenient' });
    }
  }

  private async readEndpoint<T>(
    endpoint: DiscoveryEndpoint,
    signal: AbortSignal | undefined,
    parse: (data: unknown) => T,
    retry?: false,
  ): Promise<{ value: T } | { unavailable: UnavailableEndpoint }> {
    let data: unknown;
    try {
      const result = await this.executor.execute({
        method: 'GET',
        path: `/${endpoint}`,
        signal,
        ...(retry === false ? { retry } : {}),
      });
      data = result.data;
    } catch (error) {
      if (isScimHttpError(error) && ABSENT_STATUSES.has(error.status)) {
        return { unavailable: { endpoint, reason: `HTTP ${error.status}` } };
      }
      if (isScimResponseError(error)) return { unavailable: { endpoint, reason: error.problem } };
      throw error;
    }
    try {
      return { value: parse(data) };
    } catch (error) {
      if (!isScimValidationError(error)) throw error;
      return { unavailable: { endpoint, reason: error.message } };
    }
  }
}

/** Schemas and ResourceTypes come as a ListResponse (RFC 7644) or, from some services, a bare array. */
function readList<T>(
  data: unknown,
  parseItem: (item: unknown, options: ParseOptions) => T,
  options: ParseOptions,
): T[] {
  if (Array.isArray(data)) return data.map((item) => parseItem(item, options));
  const list: ListResponse<T> = parseListResponse(data, parseItem, options);
  return list.Resources;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function flag(block: unknown, name: string): boolean | undefined {
  const value = record(block)?.[name];
  return typeof value === 'boolean' ? value : undefined;
}

function count(block: unknown, name: string): number | undefined {
  const value = record(block)?.[name];
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * The flags of a ServiceProviderConfig (read leniently, so that every block is checked here), with
 * `undefined` for what it does not say.
 */
export function summarizeConfig(
  config: ServiceProviderConfig | undefined,
  unavailable: readonly UnavailableEndpoint[] = [],
): ServiceConfigSummary {
  const source = record(config) ?? {};
  const pagination = source.pagination;
  const method = record(pagination)?.defaultPaginationMethod;
  const schemes = Array.isArray(source.authenticationSchemes) ? source.authenticationSchemes : [];
  return {
    serviceProviderConfig: config,
    filter: { supported: flag(source.filter, 'supported'), maxResults: count(source.filter, 'maxResults') },
    patch: { supported: flag(source.patch, 'supported') },
    etag: { supported: flag(source.etag, 'supported') },
    sort: { supported: flag(source.sort, 'supported') },
    changePassword: { supported: flag(source.changePassword, 'supported') },
    bulk: {
      supported: flag(source.bulk, 'supported'),
      maxOperations: count(source.bulk, 'maxOperations'),
      maxPayloadSize: count(source.bulk, 'maxPayloadSize'),
    },
    pagination: {
      index: flag(pagination, 'index'),
      cursor: flag(pagination, 'cursor'),
      defaultPaginationMethod: method === 'index' || method === 'cursor' ? method : undefined,
      defaultPageSize: count(pagination, 'defaultPageSize'),
      maxPageSize: count(pagination, 'maxPageSize'),
      cursorTimeout: count(pagination, 'cursorTimeout'),
    },
    authenticationSchemes: schemes.flatMap((scheme) => {
      const type = record(scheme)?.type;
      return typeof type === 'string' ? [type] : [];
    }),
    unavailable,
  };
}
