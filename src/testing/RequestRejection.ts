/**
 * An HTTP answer other than success, raised while {@link ScimTestServer} handles a request and sent
 * as a SCIM error body (RFC 7644 section 3.12).
 *
 * @internal Never leaves the server: it becomes a response, not an error a caller sees.
 */
export class RequestRejection extends Error {
  override name = 'RequestRejection';
  /** The HTTP status to answer with. */
  readonly status: number;
  /** The SCIM `scimType`, when RFC 7644 defines one for the case. */
  readonly scimType: string | undefined;
  /** Extra response headers (`Allow`, `Retry-After`, `WWW-Authenticate`). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    detail: string,
    options?: { scimType?: string; headers?: Readonly<Record<string, string>> },
  ) {
    super(detail);
    this.status = status;
    this.scimType = options?.scimType;
    this.headers = options?.headers ?? {};
  }
}

/** True when `value` is a {@link RequestRejection}. */
export function isRequestRejection(value: unknown): value is RequestRejection {
  return value instanceof Error && value.name === 'RequestRejection';
}
