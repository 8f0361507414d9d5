import { redactString } from '../../internal/redact';
import { registerScimErrorName, ScimError } from '../../scim/errors/ScimError';
import type { RedactedRequest } from './RedactedRequest';

/** What {@link ScimHttpError.fromResponse} needs to know about an answer. */
export interface HttpErrorResponse {
  /** The HTTP status. */
  readonly status: number;
  /** The status text, if the server sent one. */
  readonly statusText?: string;
  /** The response body: parsed JSON, or the raw text when it was not JSON. */
  readonly body: unknown;
  /** The response `Content-Type`, if any. */
  readonly contentType?: string;
  /** The redacted copy of the request that got this answer. */
  readonly request: RedactedRequest;
  /** Literal secrets to blank out of the detail (the service may echo a token back). */
  readonly secrets?: readonly string[];
}

/** What the constructor of {@link ScimHttpError} takes. */
export interface ScimHttpErrorInit {
  readonly status: number;
  readonly scimType: string | undefined;
  readonly detail: string | undefined;
  readonly request: RedactedRequest;
  readonly message?: string;
}

type HttpErrorSubclass = new (init: ScimHttpErrorInit) => ScimHttpError;
const SUBCLASSES: {
  matches: (status: number, scimType: string | undefined) => boolean;
  create: HttpErrorSubclass;
}[] = [];

/**
 * The service answered with an HTTP error status (3xx, 4xx or 5xx). Carries the status, the SCIM
 * `scimType` and `detail` from the error body (RFC 7644 section 3.12) when there was one, a short
 * description of the body when there was not (an HTML error page's title, the start of a text
 * body), and a redacted copy of the request.
 *
 * @example
 * ```ts
 * try {
 *   await client.users.get('2819c223');
 * } catch (error) {
 *   if (isScimHttpError(error) && error.status === 404) console.log('no such user');
 * }
 * ```
 */
export class ScimHttpError extends ScimError {
  override name = 'ScimHttpError';
  /** The HTTP status, e.g. `404`. */
  readonly status: number;
  /** The SCIM error keyword, e.g. `uniqueness`, `invalidFilter`, `mutability`, when the service gave one. */
  readonly scimType: string | undefined;
  /** What went wrong in the service's words (or a description of a body that was not SCIM). */
  readonly detail: string | undefined;
  /** The request method. */
  readonly method: string;
  /** The request URL, without credentials. */
  readonly url: string;
  /** The request, with credentials replaced by `[REDACTED]`. */
  readonly request: RedactedRequest;

  constructor(init: ScimHttpErrorInit) {
    super(init.message ?? describeFailure(init));
    this.status = init.status;
    this.scimType = init.scimType;
    this.detail = init.detail;
    this.method = init.request.method;
    this.url = init.request.url;
    this.request = init.request;
  }

  /**
   * Builds the error for an answer: reads a SCIM error body when there is one (status, `scimType`,
   * `detail`), describes anything else (an HTML page by its title, a text body by its start, an
   * empty body as such), and picks the subclass for the status and `scimType`
   * (`409` gives `ScimConflictError`).
   */
  static fromResponse(response: HttpErrorResponse): ScimHttpError {
    const secrets = response.secrets ?? [];
    const { scimType, detail } = readErrorBody(response);
    const init: ScimHttpErrorInit = {
      status: response.status,
      scimType,
      detail: detail === undefined ? undefined : redactString(detail, secrets),
      request: response.request,
    };
    const subclass = SUBCLASSES.find((entry) => entry.matches(response.status, scimType));
    return subclass === undefined ? new ScimHttpError(init) : new subclass.create(init);
  }
}
registerScimErrorName('ScimHttpError');

/**
 * @internal Lets a subclass (`ScimConflictError`) be chosen by {@link ScimHttpError.fromResponse}.
 */
export function registerHttpErrorSubclass(
  matches: (status: number, scimType: string | undefined) => boolean,
  create: HttpErrorSubclass,
): void {
  SUBCLASSES.push({ matches, create });
}

/** True when `value` is a {@link ScimHttpError} (or a subclass) from any copy of this package. */
export function isScimHttpError(value: unknown): value is ScimHttpError {
  return (
    value instanceof Error &&
    (value.name === 'ScimHttpError' || value.name === 'ScimConflictError') &&
    typeof (value as { status?: unknown }).status === 'number'
  );
}

function describeFailure(init: ScimHttpErrorInit): string {
  const type = init.scimType === undefined ? '' : ` (${init.scimType})`;
  const detail = init.detail === undefined || init.detail === '' ? '' : `: ${init.detail}`;
  return `${init.request.method} ${init.request.url} failed with HTTP ${init.status}${type}${detail}`;
}

const MAX_DETAIL = 300;

function readErrorBody(response: HttpErrorResponse): {
  scimType: string | undefined;
  detail: string | undefined;
} {
  const body = response.body;
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const record = body as Record<string, unknown>;
    const scimType = pickString(record, 'scimType');
    const detail =
      pickString(record, 'detail') ??
      pickString(record, 'message') ??
      pickString(record, 'error_description') ??
      pickString(record, 'error');
    return {
      scimType,
      detail: detail === undefined ? describeStatus(response) : clip(detail),
    };
  }
  if (typeof body === 'string' && body.trim() !== '') {
    const contentType = response.contentType ?? '';
    if (/html/i.test(contentType) || /^\s*<(!doctype|html)/i.test(body)) {
      const title =
        /<title[^>]*>([\s\S]*?)<\/title>/i.exec(body)?.[1] ?? /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(body)?.[1];
      const text = title === undefined ? undefined : collapse(title.replace(/<[^>]*>/g, ''));
      return {
        scimType: undefined,
        detail:
          text === undefined || text === ''
            ? 'the service sent an HTML page'
            : `the service sent an HTML page: "${clip(text)}"`,
      };
    }
    return { scimType: undefined, detail: clip(collapse(body)) };
  }
  return { scimType: undefined, detail: describeStatus(response) };
}

function describeStatus(response: HttpErrorResponse): string | undefined {
  const text = response.statusText?.trim();
  return text === undefined || text === '' ? undefined : text;
}

function pickString(record: Record<string, unknown>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(record)) {
    if (key.toLowerCase() === lower && typeof value === 'string' && value.trim() !== '') return value;
  }
  return undefined;
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function clip(text: string): string {
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}…` : text;
}
