/**
 * The options of {@link ScimClient}, each with its default, and the one function that checks them
 * and applies the defaults.
 */
import type { AxiosInstance } from 'axios';
import { isLoopbackHost } from '../internal/url';
import type { RemoveMembersForm } from '../scim/patch/member-ops';

/** A static bearer token: `Authorization: Bearer <token>`. */
export interface BearerTokenAuth {
  readonly type: 'bearer';
  /** The token. Never appears in errors, events or logs. */
  readonly token: string;
}

/**
 * A bearer token obtained on demand (an OAuth access token, for instance). `getToken` is called
 * before the first request, and once more when the service answers `401`; the request is then sent
 * again with the new token, once.
 */
export interface BearerTokenProviderAuth {
  readonly type: 'bearer';
  /** Returns the current token; called again after a `401`. */
  readonly getToken: () => Promise<string> | string;
}

/** HTTP Basic authentication: `Authorization: Basic base64(username:password)`. */
export interface BasicAuth {
  readonly type: 'basic';
  readonly username: string;
  /** The password. Never appears in errors, events or logs. */
  readonly password: string;
}

/** How the client authenticates to the service. */
export type ScimAuth = BearerTokenAuth | BearerTokenProviderAuth | BasicAuth;

/** Which results to validate and how strictly; see the SCIM models' `ParseMode`. */
export type ValidationMode = 'strict' | 'lenient';

/** How `patch` is carried out for a resource type. */
export type PatchStrategy = 'auto' | 'emulate';

/** The HTTP methods the client sends. */
export type ScimHttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * When and how failed requests are tried again.
 *
 * A request is tried again when it failed with one of `statuses`, a network error (connection
 * reset, refused, DNS failure) or a per-attempt timeout, and its method is in `methods`. `429` and
 * `503` wait as long as their `Retry-After` header says (seconds or an HTTP date); everything else
 * backs off exponentially with jitter: about `baseDelay * 2^(attempt-1)`, at most `backoffLimit`.
 *
 * `POST` (create) is never repeated blindly: after a failure whose outcome is unknown (the
 * connection dropped, a timeout, a 5xx other than 503) the client first looks the resource up by
 * `userName`/`displayName`, returns it when it was created after all, and only otherwise posts
 * again. `429`, `503` and a refused connection mean that nothing was done, and are posted again.
 *
 * `PATCH` is tried again like `PUT`: every PATCH the client builds is idempotent by value (adding a
 * member that is already there or replacing a name with the same name changes nothing). When a
 * `PATCH` or `DELETE` whose first outcome was unknown is answered `400 noTarget` or `404` on a
 * later attempt, the change had been made: the client reports success and emits a `warning`.
 */
export interface RetryOptions {
  /**
   * The most times one request is tried again (0 turns retries off).
   * @default 4
   */
  readonly limit?: number;
  /**
   * HTTP statuses that are tried again.
   * @default [429, 500, 502, 503, 504]
   */
  readonly statuses?: readonly number[];
  /**
   * Methods that are tried again. `POST` cannot be listed: creates have their own rule (above).
   * @default ['GET', 'PUT', 'PATCH', 'DELETE']
   */
  readonly methods?: readonly Exclude<ScimHttpMethod, 'POST'>[];
  /**
   * The first backoff delay, doubled on each attempt.
   * @default 500
   * @unit milliseconds
   */
  readonly baseDelay?: number;
  /**
   * The longest backoff delay.
   * @default 30000
   * @unit milliseconds
   */
  readonly backoffLimit?: number;
  /**
   * The longest `Retry-After` the client waits for; a longer one fails the request at once with
   * the `429`/`503` error, so that the caller can schedule the work later.
   * @default 120000
   * @unit milliseconds
   */
  readonly maxRetryAfter?: number;
}

/** How group membership changes are written. */
export interface GroupPatchSettings {
  /**
   * How member removals are written: `'valuePath'` (`members[value eq "id"]`, RFC 7644) or
   * `'valueArray'` (`path: 'members'` with the ids in `value`, as Microsoft Entra ID sends). When
   * the service rejects the chosen form with `400`, the client switches to the other one once, for
   * good, and emits a `fallback` event.
   * @default 'valuePath'
   */
  readonly removeForm?: RemoveMembersForm;
  /**
   * The most operations one PATCH request carries.
   * @default 10
   */
  readonly maxOperationsPerRequest?: number;
  /**
   * The most member ids one operation carries.
   * @default 100
   */
  readonly maxMembersPerOperation?: number;
}

/**
 * Options of {@link ScimClient}. Only `baseUrl` is required.
 *
 * @example
 * ```ts
 * const client = new ScimClient({
 *   baseUrl: 'https://scim.example.com/v2',
 *   auth: { type: 'bearer', token: process.env.SCIM_TOKEN! },
 *   concurrency: 4,
 *   retry: { limit: 3 },
 * });
 * ```
 */
export interface ScimClientOptions {
  /**
   * The service's SCIM base URL, under which `/Users`, `/Groups` and `/ServiceProviderConfig`
   * live, e.g. `https://scim.example.com/scim/v2`. A trailing slash is ignored.
   */
  readonly baseUrl: string;
  /**
   * How to authenticate. Without it, requests carry no `Authorization` header.
   * @default undefined
   */
  readonly auth?: ScimAuth;
  /**
   * Allows Basic or Bearer credentials over plain `http://` to a host other than the local machine.
   * Without it such a client is refused at construction, since the credentials would cross the
   * network in clear text.
   * @default false
   */
  readonly allowInsecureHttp?: boolean;
  /**
   * The longest one attempt of a request may take, from sending to the last byte of the answer.
   * @default 30000
   * @unit milliseconds
   */
  readonly timeout?: number;
  /**
   * The longest one call (every attempt and every wait between them) may take. A retry that could
   * not finish before the deadline is not started.
   * @default 120000
   * @unit milliseconds
   */
  readonly deadline?: number;
  /**
   * The most requests in flight at once, across every call of this client (listings, lookups and
   * writes share it).
   * @default 4
   */
  readonly concurrency?: number;
  /**
   * The most requests started per second, across every call of this client. Unlimited when not set.
   * @default undefined
   * @unit requests per second
   */
  readonly rateLimit?: number;
  /**
   * Retries; a number is the `limit`, `false` turns retries off. See {@link RetryOptions}.
   * @default { limit: 4 }
   */
  readonly retry?: RetryOptions | number | false;
  /**
   * An axios instance to send requests with instead of the client's own transport (for
   * interceptors, a custom proxy agent, or tests). The client still sets URL, method, headers,
   * body, timeout and response handling on every request; TLS options cannot be combined with it
   * (configure its agent instead). Without it the client sends with Node's own `http`/`https`
   * modules over keep-alive agents, or, when `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` name a
   * proxy for the base URL (and `NO_PROXY` does not exclude it), with an axios instance of its own,
   * which honours those variables.
   * @default Node's `http`/`https` with keep-alive agents (axios when a proxy variable applies)
   */
  readonly axios?: AxiosInstance;
  /**
   * How strictly responses are validated: `'strict'` enforces the types of RFC 7643 for every
   * attribute the SDK knows; `'lenient'` only what the SDK cannot work without (`id`, `userName`,
   * `displayName`, `members[].value`, a ListResponse's `Resources`), so that an odd attribute in an
   * answer does not stop provisioning.
   * @default 'lenient'
   */
  readonly validation?: ValidationMode;
  /**
   * The `User-Agent` header.
   * @default 'aquera-provisioner'
   */
  readonly userAgent?: string;
  /**
   * Extra headers sent with every request. `Authorization` cannot be set here when `auth` is given.
   * @default {}
   */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Certificate authorities to trust for `https://` (PEM). When given, they replace Node's default
   * list, as in `tls.connect` (add a private CA with Node's `NODE_EXTRA_CA_CERTS` to keep both).
   * @default Node's default list
   */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /**
   * Whether to check the service's TLS certificate. Turn off only for a test service.
   * @default true
   */
  readonly rejectUnauthorized?: boolean;
  /**
   * Resources asked for per page when listing.
   * @default 100
   */
  readonly pageSize?: number;
  /**
   * The most pages one listing reads; reaching it without the full list is an error
   * (`ScimIncompleteListError`), never a shorter list.
   * @default 10000
   */
  readonly maxPages?: number;
  /**
   * The largest response body accepted; a larger one fails with `ScimResponseError` (`tooLarge`).
   * @default 52428800 (50 MiB)
   * @unit bytes
   */
  readonly maxResponseBytes?: number;
  /**
   * `'auto'`: read `/ServiceProviderConfig` once, before the first call whose behaviour depends on
   * it (listings, lookups, PATCH), to learn whether the service filters, patches, gives ETags and
   * offers cursors. `'off'`: assume it does all of those until it shows otherwise.
   * @default 'auto'
   */
  readonly discovery?: 'auto' | 'off';
  /**
   * How `users.patch` and `groups.patch` are carried out: `'auto'` sends PATCH, and switches to
   * GET + local apply + PUT when the service says it has no PATCH (configuration, `405` or `501`);
   * `'emulate'` always does GET + local apply + PUT (with `If-Match` when the service gives ETags).
   * @default { users: 'auto', groups: 'auto' }
   */
  readonly patch?: { readonly users?: PatchStrategy; readonly groups?: PatchStrategy };
  /** How group membership PATCH requests are written. See {@link GroupPatchSettings}. */
  readonly groups?: GroupPatchSettings;
  /**
   * The `Content-Type` of request bodies.
   * @default 'application/scim+json'
   */
  readonly contentType?: string;
}

/** {@link RetryOptions} with every default applied. */
export interface ResolvedRetryOptions {
  readonly limit: number;
  readonly statuses: ReadonlySet<number>;
  readonly methods: ReadonlySet<ScimHttpMethod>;
  readonly baseDelay: number;
  readonly backoffLimit: number;
  readonly maxRetryAfter: number;
}

/** {@link ScimClientOptions} checked, copied and with every default applied. */
export interface ResolvedClientOptions {
  /** The base URL without trailing slashes. */
  readonly baseUrl: string;
  readonly auth: ScimAuth | undefined;
  readonly allowInsecureHttp: boolean;
  readonly timeout: number;
  readonly deadline: number;
  readonly concurrency: number;
  readonly rateLimit: number | undefined;
  readonly retry: ResolvedRetryOptions;
  readonly axios: AxiosInstance | undefined;
  readonly validation: ValidationMode;
  readonly userAgent: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly ca: string | Buffer | readonly (string | Buffer)[] | undefined;
  readonly rejectUnauthorized: boolean;
  readonly pageSize: number;
  readonly maxPages: number;
  readonly maxResponseBytes: number;
  readonly discovery: 'auto' | 'off';
  readonly patch: { readonly users: PatchStrategy; readonly groups: PatchStrategy };
  readonly groups: {
    readonly removeForm: RemoveMembersForm;
    readonly maxOperationsPerRequest: number;
    readonly maxMembersPerOperation: number;
  };
  readonly contentType: string;
  /** Literal secrets of `auth` (token, password, Basic credentials) to blank out of any text. */
  readonly secrets: readonly string[];
}

/** Default of {@link ScimClientOptions.userAgent}. */
export const DEFAULT_USER_AGENT = 'aquera-provisioner';

const DEFAULT_RETRY_STATUSES = [429, 500, 502, 503, 504] as const;
const DEFAULT_RETRY_METHODS = ['GET', 'PUT', 'PATCH', 'DELETE'] as const;
const RETRYABLE_METHODS = new Set<string>(DEFAULT_RETRY_METHODS);

/** The error thrown for a bad option: a `TypeError` whose message names the option. */
function optionError(field: string, expectation: string, value?: unknown, showValue = true): TypeError {
  const shown = showValue && value !== undefined ? `, got ${describe(value)}` : '';
  return new TypeError(`ScimClient option "${field}" ${expectation}${shown}`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return Array.isArray(value) ? 'an array' : typeof value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function positiveNumber(field: string, value: unknown, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  const ok =
    typeof value === 'number' && Number.isFinite(value) && value > 0 && (!integer || Number.isInteger(value));
  if (!ok)
    throw optionError(field, integer ? 'must be a positive integer' : 'must be a positive number', value);
  return value;
}

function nonNegativeNumber(field: string, value: unknown, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    value >= 0 &&
    (!integer || Number.isInteger(value));
  if (!ok) throw optionError(field, integer ? 'must be an integer >= 0' : 'must be a number >= 0', value);
  return value;
}

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw optionError(field, `must be one of ${allowed.map((item) => `'${item}'`).join(', ')}`, value);
}

function booleanOption(field: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw optionError(field, 'must be true or false', value);
  return value;
}

function resolveBaseUrl(value: unknown): { url: URL; text: string } {
  if (typeof value !== 'string' || value.trim() === '') {
    throw optionError('baseUrl', 'must be an http:// or https:// URL', value);
  }
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw optionError('baseUrl', 'must be an absolute http:// or https:// URL', value);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw optionError('baseUrl', 'must use http:// or https://', url.protocol, true);
  }
  if (url.username !== '' || url.password !== '') {
    throw optionError('baseUrl', 'must not hold credentials; give them in "auth"', undefined, false);
  }
  if (url.search !== '' || url.hash !== '') {
    throw optionError('baseUrl', 'must not have a query or a fragment', undefined, false);
  }
  return { url, text: url.toString().replace(/\/+$/, '') };
}

function resolveAuth(value: unknown): { auth: ScimAuth | undefined; secrets: string[] } {
  if (value === undefined) return { auth: undefined, secrets: [] };
  if (!isRecord(value)) throw optionError('auth', 'must be an object with a "type"', value);
  if (value.type === 'basic') {
    if (typeof value.username !== 'string' || value.username === '') {
      throw optionError('auth.username', 'must be a non-empty string', undefined, false);
    }
    if (typeof value.username === 'string' && value.username.includes(':')) {
      throw optionError(
        'auth.username',
        'must not contain ":" (HTTP Basic cannot carry it)',
        undefined,
        false,
      );
    }
    if (typeof value.password !== 'string')
      throw optionError('auth.password', 'must be a string', undefined, false);
    const auth: BasicAuth = { type: 'basic', username: value.username, password: value.password };
    const encoded = Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
    return { auth, secrets: [auth.password, encoded] };
  }
  if (value.type === 'bearer') {
    const hasToken = value.token !== undefined;
    const hasProvider = value.getToken !== undefined;
    if (hasToken === hasProvider) {
      throw optionError(
        'auth',
        'of type "bearer" needs exactly one of "token" or "getToken"',
        undefined,
        false,
      );
    }
    if (hasProvider) {
      if (typeof value.getToken !== 'function')
        throw optionError('auth.getToken', 'must be a function', value.getToken);
      const getToken = value.getToken as () => Promise<string> | string;
      return { auth: { type: 'bearer', getToken }, secrets: [] };
    }
    if (typeof value.token !== 'string' || value.token.trim() === '') {
      throw optionError('auth.token', 'must be a non-empty string', undefined, false);
    }
    return { auth: { type: 'bearer', token: value.token }, secrets: [value.token] };
  }
  throw optionError('auth.type', "must be 'bearer' or 'basic'", value.type);
}

function resolveRetry(value: unknown): ResolvedRetryOptions {
  const raw: Record<string, unknown> =
    value === undefined
      ? {}
      : value === false
        ? { limit: 0 }
        : typeof value === 'number'
          ? { limit: value }
          : {};
  if (value !== undefined && value !== false && typeof value !== 'number') {
    if (!isRecord(value)) throw optionError('retry', 'must be an object, a number or false', value);
    Object.assign(raw, value);
  }
  const statusesValue = raw.statuses ?? DEFAULT_RETRY_STATUSES;
  if (
    !Array.isArray(statusesValue) ||
    !statusesValue.every((status) => Number.isInteger(status) && status >= 400 && status <= 599)
  ) {
    throw optionError('retry.statuses', 'must be an array of HTTP statuses from 400 to 599', statusesValue);
  }
  const methodsValue = raw.methods ?? DEFAULT_RETRY_METHODS;
  if (!Array.isArray(methodsValue))
    throw optionError('retry.methods', 'must be an array of methods', methodsValue);
  for (const method of methodsValue) {
    if (method === 'POST') {
      throw optionError(
        'retry.methods',
        'cannot include POST: a create is retried only after looking the resource up, never blindly',
        undefined,
        false,
      );
    }
    if (typeof method !== 'string' || !RETRYABLE_METHODS.has(method)) {
      throw optionError('retry.methods', "must hold only 'GET', 'PUT', 'PATCH' or 'DELETE'", method);
    }
  }
  return {
    limit: nonNegativeNumber('retry.limit', raw.limit, 4, true),
    statuses: new Set(statusesValue as number[]),
    methods: new Set(methodsValue as ScimHttpMethod[]),
    baseDelay: nonNegativeNumber('retry.baseDelay', raw.baseDelay, 500),
    backoffLimit: nonNegativeNumber('retry.backoffLimit', raw.backoffLimit, 30_000),
    maxRetryAfter: nonNegativeNumber('retry.maxRetryAfter', raw.maxRetryAfter, 120_000),
  };
}

function resolveHeaders(value: unknown, hasAuth: boolean): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value)) throw optionError('headers', 'must be an object of header names to strings', value);
  const out: Record<string, string> = {};
  for (const [name, headerValue] of Object.entries(value)) {
    if (typeof headerValue !== 'string') {
      throw optionError(`headers.${name}`, 'must be a string', undefined, false);
    }
    if (hasAuth && name.toLowerCase() === 'authorization') {
      throw optionError(`headers.${name}`, 'cannot be set together with "auth"', undefined, false);
    }
    out[name] = headerValue;
  }
  return out;
}

function resolveCa(value: unknown): string | Buffer | readonly (string | Buffer)[] | undefined {
  if (value === undefined) return undefined;
  const valid = (item: unknown) => typeof item === 'string' || Buffer.isBuffer(item);
  if (valid(value)) return value as string | Buffer;
  if (Array.isArray(value) && value.every(valid)) return [...(value as (string | Buffer)[])];
  throw optionError('ca', 'must be a PEM string, a Buffer, or an array of them', value);
}

/**
 * Checks `options`, applies the defaults, and returns a resolved copy. The caller's object is
 * never written to, and later changes to it do not affect the client.
 *
 * @throws TypeError naming the bad option, e.g. `ScimClient option "timeout" must be a positive number, got -1`.
 *   Values of `auth` fields are never shown.
 * @example
 * ```ts
 * const resolved = resolveClientOptions({ baseUrl: 'https://scim.example.com/v2/' });
 * resolved.baseUrl; // 'https://scim.example.com/v2'
 * ```
 */
export function resolveClientOptions(options: ScimClientOptions): ResolvedClientOptions {
  if (!isRecord(options)) throw new TypeError('ScimClient options must be an object with at least "baseUrl"');
  const { url, text: baseUrl } = resolveBaseUrl(options.baseUrl);
  const { auth, secrets } = resolveAuth(options.auth);
  const allowInsecureHttp = booleanOption('allowInsecureHttp', options.allowInsecureHttp, false);
  if (auth !== undefined && url.protocol === 'http:' && !isLoopbackHost(url.hostname) && !allowInsecureHttp) {
    throw optionError(
      'baseUrl',
      `is plain http:// to ${url.hostname}, which would send the ${auth.type === 'basic' ? 'password' : 'token'} in clear text; use https:// or set "allowInsecureHttp: true"`,
      undefined,
      false,
    );
  }
  const axiosInstance = options.axios;
  if (axiosInstance !== undefined && typeof axiosInstance !== 'function' && !isRecord(axiosInstance)) {
    throw optionError('axios', 'must be an axios instance', axiosInstance);
  }
  if (axiosInstance !== undefined && typeof (axiosInstance as { request?: unknown }).request !== 'function') {
    throw optionError('axios', 'must be an axios instance (with a request() method)', undefined, false);
  }
  const ca = resolveCa(options.ca);
  if (axiosInstance !== undefined && (ca !== undefined || options.rejectUnauthorized !== undefined)) {
    throw optionError(
      options.ca !== undefined ? 'ca' : 'rejectUnauthorized',
      'cannot be combined with "axios"; configure the https agent of that instance instead',
      undefined,
      false,
    );
  }
  const patch = options.patch;
  if (patch !== undefined && !isRecord(patch)) throw optionError('patch', 'must be an object', patch);
  const groups = options.groups;
  if (groups !== undefined && !isRecord(groups)) throw optionError('groups', 'must be an object', groups);
  const rateLimit =
    options.rateLimit === undefined ? undefined : positiveNumber('rateLimit', options.rateLimit, 1);
  const contentType = options.contentType ?? 'application/scim+json';
  if (typeof contentType !== 'string' || contentType.trim() === '') {
    throw optionError('contentType', 'must be a non-empty string', contentType);
  }
  const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  if (typeof userAgent !== 'string') throw optionError('userAgent', 'must be a string', userAgent);

  return {
    baseUrl,
    auth,
    allowInsecureHttp,
    timeout: positiveNumber('timeout', options.timeout, 30_000),
    deadline: positiveNumber('deadline', options.deadline, 120_000),
    concurrency: positiveNumber('concurrency', options.concurrency, 4, true),
    rateLimit,
    retry: resolveRetry(options.retry),
    axios: axiosInstance,
    validation: oneOf('validation', options.validation, ['strict', 'lenient'], 'lenient'),
    userAgent,
    headers: resolveHeaders(options.headers, auth !== undefined),
    ca,
    rejectUnauthorized: booleanOption('rejectUnauthorized', options.rejectUnauthorized, true),
    pageSize: positiveNumber('pageSize', options.pageSize, 100, true),
    maxPages: positiveNumber('maxPages', options.maxPages, 10_000, true),
    maxResponseBytes: positiveNumber('maxResponseBytes', options.maxResponseBytes, 50 * 1024 * 1024, true),
    discovery: oneOf('discovery', options.discovery, ['auto', 'off'], 'auto'),
    patch: {
      users: oneOf('patch.users', patch?.users, ['auto', 'emulate'], 'auto'),
      groups: oneOf('patch.groups', patch?.groups, ['auto', 'emulate'], 'auto'),
    },
    groups: {
      removeForm: oneOf('groups.removeForm', groups?.removeForm, ['valuePath', 'valueArray'], 'valuePath'),
      maxOperationsPerRequest: positiveNumber(
        'groups.maxOperationsPerRequest',
        groups?.maxOperationsPerRequest,
        10,
        true,
      ),
      maxMembersPerOperation: positiveNumber(
        'groups.maxMembersPerOperation',
        groups?.maxMembersPerOperation,
        100,
        true,
      ),
    },
    contentType,
    secrets,
  };
}
