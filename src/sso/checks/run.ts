/**
 * Every SSO check at once: NameID and certificates, in one report.
 *
 * @module
 */
import type { AttributeMapping } from '../../engine/mapping/types';
import type { SamlEntity } from '../metadata/types';
import { checkSsoCertificates } from './certificates';
import { checkNameId } from './nameid';
import { makeReport, type SsoCheckReport } from './report';

/** Input of {@link runSsoChecks}. */
export interface SsoChecksInput {
  /** The SP's metadata (the Aquera application's). */
  readonly sp: SamlEntity;
  /**
   * The IdP's metadata, for its certificates.
   * @default none: `idpCertificates` is skipped
   */
  readonly idp?: SamlEntity;
  /** The engine's user mapping (`EngineOptions.mapping.users`). */
  readonly userMapping: AttributeMapping;
  /**
   * See {@link NameIdCheckInput.nameIdFormat}.
   * @default the first format the SP lists
   */
  readonly nameIdFormat?: string;
  /**
   * See {@link NameIdCheckInput.subjectAttribute}.
   * @default unknown
   */
  readonly subjectAttribute?: string;
  /**
   * See {@link NameIdCheckInput.userNames}.
   * @default none
   */
  readonly userNames?: Iterable<string>;
  /**
   * See {@link CertificateCheckInput.withinDays}.
   * @default 30
   * @unit days
   */
  readonly withinDays?: number;
  /**
   * The time to check certificates against.
   * @default now
   */
  readonly now?: Date;
}

/**
 * Runs {@link checkNameId} and {@link checkSsoCertificates} and returns one report with the checks
 * `nameIdFormat`, `userNames`, `spCertificates` and `idpCertificates`; `ok` is false when any has
 * an error finding.
 *
 * @example
 * ```ts
 * const report = runSsoChecks({ sp, idp, userMapping: ACTIVE_DIRECTORY_USER_MAPPING, userNames });
 * if (!report.ok) process.exitCode = 1;
 * ```
 */
export function runSsoChecks(input: SsoChecksInput): SsoCheckReport {
  const nameId = checkNameId({
    sp: input.sp,
    userMapping: input.userMapping,
    ...(input.nameIdFormat === undefined ? {} : { nameIdFormat: input.nameIdFormat }),
    ...(input.subjectAttribute === undefined ? {} : { subjectAttribute: input.subjectAttribute }),
    ...(input.userNames === undefined ? {} : { userNames: input.userNames }),
  });
  const certificates = checkSsoCertificates({
    sp: input.sp,
    ...(input.idp === undefined ? {} : { idp: input.idp }),
    ...(input.withinDays === undefined ? {} : { withinDays: input.withinDays }),
    ...(input.now === undefined ? {} : { now: input.now }),
  });
  return makeReport([...nameId.checks, ...certificates.checks]);
}
