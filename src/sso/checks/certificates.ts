/**
 * The certificate check: the SP's and the IdP's signing certificates that are expired, not yet
 * valid, unreadable, or expiring within `withinDays`. Rules (docs/provisioning-and-sso.md):
 *
 * - expired, or not yet valid -> `certificateExpired` / `certificateNotYetValid`: error, or warning
 *   when another signing certificate of the same party stays valid past the window (a rollover that
 *   left the old one in the metadata);
 * - expiring within `withinDays` -> `certificateExpiring`: warning, or info when a successor is
 *   already published;
 * - unreadable -> `certificateInvalid`: error;
 * - no signing certificate -> `noSigningCertificate`: error for the IdP (its assertions cannot be
 *   verified), and for the SP when the IdP wants signed requests; info otherwise.
 *
 * @module
 */
import type { SamlCertificate, SamlEntity, SamlRoleDescriptor } from '../metadata/types';
import {
  makeCheck,
  makeReport,
  type SsoCheck,
  type SsoCheckReport,
  type SsoFinding,
  skippedCheck,
} from './report';

const DAY = 86_400_000;

/** Input of {@link checkSsoCertificates}. */
export interface CertificateCheckInput {
  /** The SP's metadata (the Aquera application's), when known. */
  readonly sp?: SamlEntity;
  /** The IdP's metadata (PingFederate's, PingOne's), when known. */
  readonly idp?: SamlEntity;
  /**
   * Certificates that expire within this many days are reported.
   * @default 30
   * @unit days
   */
  readonly withinDays?: number;
  /**
   * The time to check against.
   * @default now
   */
  readonly now?: Date;
}

/**
 * Checks the SP's and the IdP's signing certificates, in the shape of `client.testConnection()`'s
 * report: `spCertificates` and `idpCertificates` (skipped when that metadata is not given).
 *
 * @throws RangeError when `withinDays` is not a whole number of days from 0.
 * @example
 * ```ts
 * import { checkSsoCertificates, readSamlMetadata } from 'aquera-provisioner/sso';
 *
 * const report = checkSsoCertificates({
 *   sp: readSamlMetadata(spXml, { role: 'sp' }),
 *   idp: readSamlMetadata(idpXml, { role: 'idp' }),
 *   withinDays: 45,
 * });
 * for (const check of report.checks) console.log(check.name, check.ok, check.detail);
 * ```
 */
export function checkSsoCertificates(input: CertificateCheckInput): SsoCheckReport {
  const withinDays = input.withinDays ?? 30;
  if (!Number.isInteger(withinDays) || withinDays < 0) {
    throw new RangeError('checkSsoCertificates option withinDays must be a whole number of days from 0');
  }
  const now = input.now ?? new Date();
  const wantsSignedRequests = input.idp?.idp?.wantAuthnRequestsSigned === true;
  return makeReport([
    roleCheck('spCertificates', 'sp', input.sp, now, withinDays, wantsSignedRequests),
    roleCheck('idpCertificates', 'idp', input.idp, now, withinDays, true),
  ]);
}

function roleCheck(
  name: 'spCertificates' | 'idpCertificates',
  role: 'sp' | 'idp',
  entity: SamlEntity | undefined,
  now: Date,
  withinDays: number,
  signingRequired: boolean,
): SsoCheck {
  const party = role === 'sp' ? 'SP' : 'IdP';
  if (entity === undefined) return skippedCheck(name, `no ${party} metadata given`);
  const started = Date.now();
  const descriptor: SamlRoleDescriptor | undefined = role === 'sp' ? entity.sp : entity.idp;
  if (descriptor === undefined) {
    return skippedCheck(
      name,
      `${entity.entityId} has no ${role === 'sp' ? 'SPSSODescriptor' : 'IDPSSODescriptor'}`,
    );
  }
  const horizon = now.getTime() + withinDays * DAY;
  const certificates = descriptor.signingCertificates;
  const isCurrent = (certificate: SamlCertificate) =>
    certificate.notBefore.getTime() <= now.getTime() && certificate.notAfter.getTime() > now.getTime();
  const lastsPastWindow = (certificate: SamlCertificate) =>
    isCurrent(certificate) && certificate.notAfter.getTime() > horizon;
  const findings: SsoFinding[] = [];
  for (const certificate of certificates) {
    const successor = certificates.some((other) => other !== certificate && lastsPastWindow(other));
    const about = {
      role,
      subject: certificate.subject,
      notAfter: certificate.notAfter,
      fingerprintSha256: certificate.fingerprintSha256,
    };
    const when = certificate.notAfter.toISOString().slice(0, 10);
    if (certificate.notAfter.getTime() <= now.getTime()) {
      findings.push({
        level: successor ? 'warning' : 'error',
        code: 'certificateExpired',
        message: `the ${party}'s signing certificate ${certificate.subject} expired on ${when}${successor ? '; a newer one is published: remove the old one from the metadata' : ''}`,
        certificate: about,
      });
    } else if (certificate.notBefore.getTime() > now.getTime()) {
      findings.push({
        level: successor ? 'warning' : 'error',
        code: 'certificateNotYetValid',
        message: `the ${party}'s signing certificate ${certificate.subject} is not valid before ${certificate.notBefore.toISOString().slice(0, 10)}`,
        certificate: about,
      });
    } else if (certificate.notAfter.getTime() <= horizon) {
      const days = Math.ceil((certificate.notAfter.getTime() - now.getTime()) / DAY);
      findings.push({
        level: successor ? 'info' : 'warning',
        code: 'certificateExpiring',
        message: `the ${party}'s signing certificate ${certificate.subject} expires on ${when} (in ${days} day${days === 1 ? '' : 's'})${successor ? '; its successor is already published' : ': publish its successor and update the partner'}`,
        certificate: about,
      });
    }
  }
  for (const unreadable of descriptor.unreadableCertificates) {
    findings.push({
      level: 'error',
      code: 'certificateInvalid',
      message: `a ${unreadable.use ?? 'signing'} certificate in the ${party}'s metadata cannot be read: ${unreadable.reason}`,
    });
  }
  if (certificates.length === 0) {
    findings.push({
      level: signingRequired ? 'error' : 'info',
      code: 'noSigningCertificate',
      message:
        role === 'idp'
          ? "the IdP's metadata has no signing certificate: the SP cannot verify its assertions"
          : signingRequired
            ? "the IdP wants signed requests, but the SP's metadata has no signing certificate"
            : "the SP's metadata has no signing certificate (it does not sign its requests)",
    });
  }
  const soonest = certificates
    .filter(isCurrent)
    .map((certificate) => certificate.notAfter)
    .sort((left, right) => left.getTime() - right.getTime())[0];
  const detail =
    certificates.length === 0
      ? `${entity.entityId}: no signing certificate`
      : `${entity.entityId}: ${certificates.length} signing certificate${certificates.length === 1 ? '' : 's'}${
          soonest === undefined
            ? ', none valid now'
            : `, the first to expire on ${soonest.toISOString().slice(0, 10)}`
        }`;
  return makeCheck(name, started, detail, findings);
}
