/**
 * The request executor: one SCIM call from start to end. Authentication, the shared limiter,
 * attempts with their timeout, the call's deadline, retries, the answer read as JSON, errors with
 * redacted request copies, and the events of each step.
 */
import { abortReason, sleep } from '../internal/abort';
import { redactHeaders, redactString, redactUrl, redactValue } from '../internal/redact';
import { joinUrl } from '../internal/url';
import { SCHEMAS } from '../scim/schemas';
import { AttemptGate } from './attempt-gate';
import type { AuthHeaders, SecretStore } from './auth';
import type { RedactedRequest } from './errors/RedactedRequest';
import { ScimHttpError } from './errors/ScimHttpError';
import { ScimNetworkError } from './errors/ScimNetworkError';
import { ScimResponseError } from './errors/ScimResponseError';
import { ScimTimeoutError } from './errors/ScimTimeoutError';
import type { ScimClientEvents } from './events';
import type { RequestLimiter } from './limiter';
import type { ResolvedClientOptions, ScimHttpMethod } from './options';
import { type AttemptFailure, decideRetry, isKnownNotProcessed } from './retry';
import { type Transport, TransportFailure, type TransportResponse } from './transport';

/** What a call asks for. */
export interface ScimRequestSpec {
  readonly method: ScimHttpMethod;
  /** Path below the base URL, e.g. `/Users/2819c223`. */
  readonly path: string;
  /** Query parameters; `undefined` values are left out. */
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  /** A JSON body. */
  readonly body?: unknown;
  /** Extra headers for this call (`If-Match`, …). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Aborts the call. */
  readonly signal?: AbortSignal | undefined;
  /**
   * Whether the answer must have a JSON body: `'required'` (a resource, a list), `'optional'`
   * (PATCH may answer `204`), `'none'` (DELETE; a body is ignored).
   * @default 'required'
   */
  readonly expectBody?: 'required' | 'optional' | 'none';
  /** `false` sends one attempt only (test connection). */
  readonly retry?: false;
  /**
   * For a POST that creates: looks the resource up after a failure whose outcome is unknown.
   * Returns the resource when it exists (the create had worked), `undefined` when it does not.
   * Without it, such a POST is not tried again.
   */
  readonly recoverCreate?: () => Promise<unknown>;
  /**
   * Overrides the client's per-attempt timeout for this call.
   * @unit milliseconds
   */
  readonly timeout?: number;
}

/** A successful answer. */
export interface ScimResult {
  readonly status: number;
  /** Response headers, names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The parsed JSON body; `undefined` when there was none. */
  readonly data: unknown;
  /** True when a create's answer was lost and the resource was found by a lookup instead (`data` is it). */
  readonly recovered: boolean;
}

type Emit = <E extends keyof ScimClientEvents>(event: E, ...args: ScimClientEvents[E]) => void;

/** What the executor works with; one per client. */
export interface RequestExecutorDeps {
  readonly options: ResolvedClientOptions;
  readonly transport: Transport;
  readonly limiter: RequestLimiter;
  readonly auth: AuthHeaders;
  readonly secrets: SecretStore;
  readonly emit: Emit;
  readonly random?: () => number;
}

const JSON_CONTENT_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;
let nextRequestId = 1;

/**
 * Runs SCIM calls for one client. See {@link RequestExecutor.execute}.
 */
export class RequestExecutor {
  private readonly deps: RequestExecutorDeps;
  private warnedContentType = false;

  constructor(deps: RequestExecutorDeps) {
    this.deps = deps;
  }

  /** The literal secrets to blank out of text (configured and learned). */
  get secrets(): readonly string[] {
    return this.deps.secrets.values;
  }

  /** A redacted copy of a request, as errors and events carry it. */
  redactRequest(
    method: string,
    url: string,
    headers: Readonly<Record<string, string>>,
    body?: unknown,
  ): RedactedRequest {
    const secrets = this.secrets;
    const copy: RedactedRequest = {
      method,
      url: redactUrl(url, secrets),
      headers: redactHeaders(headers, secrets),
      ...(body === undefined ? {} : { body: redactValue(body, secrets) }),
    };
    return copy;
  }

  /**
   * Sends the request, trying again as the retry policy allows, and returns the answer, or throws
   * `ScimHttpError` (an error status), `ScimNetworkError`, `ScimTimeoutError`, `ScimResponseError`
   * (an unreadable success), or the reason of the caller's `signal` when it aborted.
   */
  async execute(spec: ScimRequestSpec): Promise<ScimResult> {
    const { options, limiter, transport, auth, emit } = this.deps;
    const requestId = nextRequestId++;
    const url = joinUrl(options.baseUrl, spec.path, spec.query);
    const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    const expectBody = spec.expectBody ?? 'required';
    const started = Date.now();
    const deadlineAt = started + options.deadline;
    let attempt = 0;
    let retries = 0;
    let refreshedToken = false;
    let outcomeUnknown = false;
    // Built only when an error or a warning needs it: most calls succeed, and redacting a body costs.
    const redacted = (headers: Readonly<Record<string, string>>) =>
      this.redactRequest(spec.method, url, headers, spec.body);

    const deadlineError = (headers: Readonly<Record<string, string>>) =>
      new ScimTimeoutError({ kind: 'deadline', timeoutMs: options.deadline, request: redacted(headers) });
    const stopped = (headers: Readonly<Record<string, string>>): Error =>
      spec.signal?.aborted ? abortReason(spec.signal) : deadlineError(headers);

    for (;;) {
      attempt += 1;
      const headers = await this.buildHeaders(spec, body !== undefined);
      // One controller per attempt: aborted by the caller's signal, the call's deadline, or the
      // attempt's own timeout, whichever comes first; `cut` says which.
      const gate = new AttemptGate(spec.signal, deadlineAt);
      let release: () => void;
      try {
        release = await limiter.acquire(gate.signal);
      } catch {
        gate.dispose();
        throw stopped(headers);
      }
      const attemptTimeout = spec.timeout ?? options.timeout;
      gate.startAttempt(attemptTimeout);
      const sentAt = Date.now();
      emit('request', {
        requestId,
        attempt,
        method: spec.method,
        url: redactUrl(url, this.secrets),
        headers: redactHeaders(headers, this.secrets),
      });
      let response: TransportResponse | undefined;
      let failure: AttemptFailure;
      let failureError: Error;
      try {
        response = await transport.send({
          method: spec.method,
          url,
          headers,
          signal: gate.signal,
          ...(body === undefined ? {} : { body }),
        });
      } catch (error) {
        if (gate.cut === 'caller' || gate.cut === 'deadline') throw stopped(headers);
        const transportFailure =
          error instanceof TransportFailure ? error : new TransportFailure('network', String(error));
        if (transportFailure.kind === 'aborted' && gate.cut === 'timeout') {
          failure = { type: 'timeout' };
          failureError = new ScimTimeoutError({
            kind: 'attempt',
            timeoutMs: attemptTimeout,
            request: redacted(headers),
          });
        } else if (transportFailure.kind === 'tooLarge') {
          throw new ScimResponseError({
            problem: 'tooLarge',
            status: undefined,
            contentType: undefined,
            request: redacted(headers),
            detail: transportFailure.message,
          });
        } else {
          failure = { type: 'network', code: transportFailure.code };
          failureError = this.networkError(transportFailure, redacted(headers));
        }
      } finally {
        gate.dispose();
        release();
      }

      if (response !== undefined) {
        emit('response', {
          requestId,
          attempt,
          method: spec.method,
          url: redactUrl(url, this.secrets),
          status: response.status,
          durationMs: Date.now() - sentAt,
        });
        if (response.status >= 200 && response.status < 300) {
          const disguised = expectBody === 'none' ? undefined : errorStatusInBody(response.body);
          if (disguised === undefined) {
            return { ...this.readSuccess(response, expectBody, () => redacted(headers)), recovered: false };
          }
          // A SCIM error document sent with a success status: the error it describes, not a success.
          response = { ...response, status: disguised };
        }
        if (response.status === 401 && auth.canRefresh && !refreshedToken) {
          refreshedToken = true;
          await auth.refresh(headers.Authorization);
          continue;
        }
        const httpError = this.httpError(response, redacted(headers));
        if (outcomeUnknown && isAlreadyApplied(spec.method, httpError)) {
          emit('warning', {
            code: 'changeAlreadyApplied',
            message: `${spec.method} answered ${httpError.status}${httpError.scimType === undefined ? '' : ` ${httpError.scimType}`} after an attempt whose answer was lost; the change had been made`,
            url: redactUrl(url, this.secrets),
          });
          return { status: response.status, headers: response.headers, data: undefined, recovered: false };
        }
        failure = { type: 'status', status: response.status, retryAfter: response.headers['retry-after'] };
        failureError = httpError;
      }

      const currentFailure = failure!;
      const currentError = failureError!;
      if (!isKnownNotProcessed(currentFailure)) outcomeUnknown = true;
      if (spec.retry === false) throw currentError;
      retries += 1;
      const decision = decideRetry({
        method: spec.method,
        failure: currentFailure,
        attempt: retries,
        options: options.retry,
        remainingMs: options.deadline - (Date.now() - started),
        postRetryable: spec.recoverCreate !== undefined,
        ...(this.deps.random === undefined ? {} : { random: this.deps.random }),
      });
      if (!decision.retry) throw currentError;
      emit('retry', {
        requestId,
        attempt,
        method: spec.method,
        url: redactUrl(url, this.secrets),
        reason: decision.reason,
        ...(currentFailure.type === 'status' ? { status: currentFailure.status } : {}),
        delayMs: decision.delayMs,
        delaySource: decision.source,
      });
      try {
        await sleep(Math.min(decision.delayMs, Math.max(0, deadlineAt - Date.now())), spec.signal);
      } catch {
        throw stopped(headers);
      }
      if (Date.now() >= deadlineAt) throw stopped(headers);
      if (
        spec.method === 'POST' &&
        spec.recoverCreate !== undefined &&
        !isKnownNotProcessed(currentFailure)
      ) {
        let found: unknown;
        try {
          found = await spec.recoverCreate();
        } catch {
          throw currentError;
        }
        if (found !== undefined) {
          emit('warning', {
            code: 'createRecovered',
            message: `the answer to a create was lost (${decision.reason}); the resource was found by a lookup, so it was not created again`,
            url: redactUrl(url, this.secrets),
          });
          return { status: 201, headers: {}, data: found, recovered: true };
        }
      }
    }
  }

  private async buildHeaders(spec: ScimRequestSpec, hasBody: boolean): Promise<Record<string, string>> {
    const { options, auth } = this.deps;
    const headers: Record<string, string> = {
      Accept: 'application/scim+json, application/json;q=0.9',
      'User-Agent': options.userAgent,
      ...options.headers,
    };
    if (hasBody) headers['Content-Type'] = options.contentType;
    const authorization = await auth.header();
    if (authorization !== undefined) headers.Authorization = authorization;
    Object.assign(headers, spec.headers);
    return headers;
  }

  private networkError(failure: TransportFailure, request: RedactedRequest): ScimNetworkError {
    const message = redactString(failure.message, this.secrets);
    const cause = new Error(message);
    if (failure.code !== undefined) (cause as Error & { code?: string }).code = failure.code;
    return new ScimNetworkError(
      `${request.method} ${request.url} failed: ${message}${failure.code === undefined || message.includes(failure.code) ? '' : ` (${failure.code})`}`,
      { request, code: failure.code, cause },
    );
  }

  private httpError(response: TransportResponse, request: RedactedRequest): ScimHttpError {
    const contentType = response.headers['content-type'];
    return ScimHttpError.fromResponse({
      status: response.status,
      statusText: response.statusText,
      body: tryParseJson(response.body) ?? response.body,
      ...(contentType === undefined ? {} : { contentType }),
      request,
      secrets: this.secrets,
    });
  }

  private readSuccess(
    response: TransportResponse,
    expectBody: 'required' | 'optional' | 'none',
    redactedRequest: () => RedactedRequest,
  ): Omit<ScimResult, 'recovered'> {
    const contentType = response.headers['content-type'];
    const base = { status: response.status, headers: response.headers };
    if (expectBody === 'none') return { ...base, data: tryParseJson(response.body) };
    const text = stripBom(response.body);
    if (text.trim() === '') {
      if (expectBody === 'optional') return { ...base, data: undefined };
      throw new ScimResponseError({
        problem: 'empty',
        status: response.status,
        contentType,
        request: redactedRequest(),
        detail: `the service answered ${response.status} with an empty body where a SCIM document was expected`,
      });
    }
    const data = tryParseJson(text);
    if (data === undefined) {
      throw new ScimResponseError({
        problem: 'notJson',
        status: response.status,
        contentType,
        request: redactedRequest(),
        // The page may echo the request's credentials back (an HTML title, a text error).
        detail: redactString(
          `the service answered ${response.status} with ${describeNonJson(text, contentType)} where a SCIM JSON document was expected`,
          this.secrets,
        ),
      });
    }
    if (nestedDeeperThan(data, MAX_JSON_DEPTH)) {
      throw new ScimResponseError({
        problem: 'tooDeep',
        status: response.status,
        contentType,
        request: redactedRequest(),
        detail: `the service answered ${response.status} with JSON nested more than ${MAX_JSON_DEPTH} levels deep, which no SCIM document is`,
      });
    }
    if (!this.warnedContentType && (contentType === undefined || !JSON_CONTENT_TYPE.test(contentType))) {
      this.warnedContentType = true;
      this.deps.emit('warning', {
        code: 'unexpectedContentType',
        message: `the service sends JSON as ${contentType ?? 'no content type'} instead of application/scim+json; read anyway`,
        url: redactedRequest().url,
      });
    }
    return { ...base, data };
  }
}

/**
 * After an attempt whose outcome was unknown, these answers mean the change is already in place:
 * a DELETE answered `404`, a PATCH answered `400 noTarget` (the member to remove is gone).
 */
function isAlreadyApplied(method: ScimHttpMethod, error: ScimHttpError): boolean {
  if (method === 'DELETE') return error.status === 404;
  if (method === 'PATCH') return error.status === 400 && error.scimType === 'noTarget';
  return false;
}

/**
 * The deepest nesting of objects and arrays a success answer may have. A SCIM document is a few
 * levels deep (a ListResponse, a resource, an extension, a complex attribute, a multi-valued one:
 * RFC 7643 section 2.3.8 forbids complex attributes inside complex attributes); anything far deeper
 * is hostile, and would overflow the stack of whatever walks it recursively later.
 */
const MAX_JSON_DEPTH = 64;

/** True when `value` nests objects or arrays more than `limit` levels deep (iterative: no recursion). */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const pending: { value: object; depth: number }[] = [];
  if (typeof value === 'object' && value !== null) pending.push({ value, depth: 1 });
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (next.depth > limit) return true;
    for (const child of Object.values(next.value)) {
      if (typeof child === 'object' && child !== null) pending.push({ value: child, depth: next.depth + 1 });
    }
  }
  return false;
}

const ERROR_SCHEMA = SCHEMAS.Error.toLowerCase();
/** The error schema's URN anywhere in a body, in any case: a cheap test before a parse. */
const ERROR_SCHEMA_TEXT = new RegExp(SCHEMAS.Error.replace(/\./g, '\\.'), 'i');

/**
 * The status of a SCIM error document (RFC 7644 section 3.12) sent with a success status, which
 * some gateways do; `undefined` when the body is not one. A status that is not a 4xx or 5xx is
 * read as `502`: the service answered, but not with anything a client can use.
 */
function errorStatusInBody(text: string): number | undefined {
  // Parsed only when the error schema's URN appears: a plain search is far cheaper than a second parse.
  if (!ERROR_SCHEMA_TEXT.test(text)) return undefined;
  const body = tryParseJson(text);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const record = body as Record<string, unknown>;
  const schemas = Object.entries(record).find(([key]) => key.toLowerCase() === 'schemas')?.[1];
  if (
    !Array.isArray(schemas) ||
    !schemas.some((urn) => typeof urn === 'string' && urn.toLowerCase() === ERROR_SCHEMA)
  ) {
    return undefined;
  }
  const status = Number(Object.entries(record).find(([key]) => key.toLowerCase() === 'status')?.[1]);
  return Number.isInteger(status) && status >= 400 && status <= 599 ? status : 502;
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function tryParseJson(text: string): unknown {
  const trimmed = stripBom(text).trim();
  if (trimmed === '') return undefined;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return undefined;
  }
}

function describeNonJson(text: string, contentType: string | undefined): string {
  const type = contentType === undefined ? 'no content type' : contentType.split(';')[0]?.trim();
  if (/html/i.test(contentType ?? '') || /^\s*<(!doctype|html)/i.test(text)) {
    const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(text)?.[1]?.replace(/\s+/g, ' ').trim();
    return title === undefined || title === ''
      ? `an HTML page (${type})`
      : `an HTML page titled "${title.slice(0, 120)}" (${type})`;
  }
  return `a body that is not JSON (${type}, ${text.length} characters)`;
}
