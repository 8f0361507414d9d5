import { registerScimErrorName, ScimError } from './ScimError';

/**
 * The SCIM `scimType` values of RFC 7644 section 3.12, plus `unknown` for anything else a service sends.
 */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

/**
 * A SCIM request that is wrong by RFC 7644, found locally: a filter that does not parse, a PATCH
 * path that names nothing, a value of the wrong type. Carries the `scimType` and HTTP `status`
 * (400 unless stated) that a service provider would answer with, so that a server built on this
 * package (see `ScimTestServer`) can send it as is.
 */
export class ScimProtocolError extends ScimError {
  override name = 'ScimProtocolError';
  readonly scimType: ScimType;
  readonly status: number;

  constructor(scimType: ScimType, message: string, options?: { status?: number; cause?: unknown }) {
    super(message, options);
    this.scimType = scimType;
    this.status = options?.status ?? 400;
  }
}
registerScimErrorName('ScimProtocolError');

/** True when `value` is a {@link ScimProtocolError} from any copy of this package. */
export function isScimProtocolError(value: unknown): value is ScimProtocolError {
  return value instanceof Error && value.name === 'ScimProtocolError';
}
