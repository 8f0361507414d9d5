/**
 * A tiny fetch wrapper for the ScimTestServer tests: raw HTTP, no SDK client in between.
 */
import { SCHEMAS } from '../../src/scim/schemas';

/** A SCIM JSON document with the fields the tests read typed, everything else `unknown`. */
export interface ScimBody {
  readonly [key: string]: unknown;
  readonly id?: string;
  readonly schemas?: string[];
  readonly userName?: string;
  readonly displayName?: string;
  readonly value?: string;
  readonly type?: string;
  readonly active?: boolean;
  readonly password?: string;
  readonly members?: ScimBody[];
  readonly groups?: ScimBody[];
  readonly emails?: ScimBody[];
  readonly meta?: ScimBody;
  readonly version?: string;
  readonly location?: string;
  readonly Resources?: ScimBody[];
  readonly totalResults?: number;
  readonly itemsPerPage?: number;
  readonly startIndex?: number;
  readonly nextCursor?: string;
  readonly previousCursor?: string;
  readonly status?: string;
  readonly scimType?: string;
  readonly detail?: string;
}

/** A response, read whole. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  /** The parsed JSON body (an empty object when there is none). */
  readonly body: ScimBody;
  /** Whether the response had a body at all. */
  readonly hasBody: boolean;
}

/** Options of {@link scim}. */
export interface ScimRequest {
  readonly method?: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** A bearer token to send. */
  readonly token?: string;
}

/** Sends one request to `baseUrl + path` and reads the whole response. */
export async function scim(baseUrl: string, path: string, request: ScimRequest = {}): Promise<RawResponse> {
  const headers: Record<string, string> = { accept: 'application/scim+json', ...request.headers };
  if (request.token !== undefined) headers.authorization = `Bearer ${request.token}`;
  if (request.body !== undefined) headers['content-type'] = 'application/scim+json';
  const response = await fetch(`${baseUrl}${path}`, {
    method: request.method ?? 'GET',
    headers,
    ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? {} : (JSON.parse(text) as ScimBody),
    hasBody: text !== '',
  };
}

/** A minimal User body. */
export function userBody(userName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { schemas: [SCHEMAS.User], userName, ...extra };
}

/** A minimal Group body. */
export function groupBody(displayName: string, memberIds: readonly string[] = []): Record<string, unknown> {
  return { schemas: [SCHEMAS.Group], displayName, members: memberIds.map((value) => ({ value })) };
}

/** A PatchOp body. */
export function patchBody(...operations: Record<string, unknown>[]): Record<string, unknown> {
  return { schemas: [SCHEMAS.PatchOp], Operations: operations };
}

/** `?filter=<encoded>` */
export function filterQuery(filter: string, extra = ''): string {
  return `?filter=${encodeURIComponent(filter)}${extra}`;
}
