import { registerSsoErrorName, SsoError } from './SsoError';

/**
 * A value given to a link builder is malformed: a host with a path or credentials, a port out of
 * range, an unknown PingOne region, an environment id that is not a UUID, an empty entity id.
 * `field` names the option at fault, as the caller wrote it; the message says what is accepted.
 *
 * @example
 * ```ts
 * try {
 *   pingOneIdpInitiatedUrl({ region: 'us', environmentId, spEntityId });
 * } catch (error) {
 *   if (isSsoLinkError(error)) console.error(error.field); // 'region'
 * }
 * ```
 */
export class SsoLinkError extends SsoError {
  override name = 'SsoLinkError';
  /** The option at fault: `host`, `region`, `authHost`, `environmentId`, `partnerSpId`, … */
  readonly field: string;

  constructor(field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.field = field;
  }
}
registerSsoErrorName('SsoLinkError');

/** True when `value` is an {@link SsoLinkError} from any copy of this package. */
export function isSsoLinkError(value: unknown): value is SsoLinkError {
  return value instanceof Error && value.name === 'SsoLinkError';
}
