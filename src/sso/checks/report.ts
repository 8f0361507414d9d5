/**
 * The shape of every SSO check's result: the same as `client.testConnection()`'s report (`ok`,
 * and `checks` each with `name`, `ok`, `skipped`, `detail`, `durationMs`), plus the findings that
 * explain each check, so that a host (and the CLI) prints both the same way.
 *
 * @module
 */

/** How much a finding matters: `error` stops sign-in (the report is not ok), `warning` may, `info` explains. */
export type SsoFindingLevel = 'error' | 'warning' | 'info';

/**
 * What a finding is about. NameID: `noUserNameMapping`, `nameIdFormatMismatch`,
 * `nameIdFormatNotAccepted`, `userPrincipalNameAsEmail`, `emailFormatUnverified`,
 * `subjectAttributeMismatch`, `opaqueNameIdFormat`, `nameIdFormatNotChecked`, `unspecifiedFormat`,
 * `userNameTransformed`, `userNameNotUniqueCaseInsensitive`. Certificates: `certificateExpired`,
 * `certificateExpiring`, `certificateNotYetValid`, `certificateInvalid`, `noSigningCertificate`.
 * docs/provisioning-and-sso.md explains each rule.
 */
export type SsoFindingCode =
  | 'noUserNameMapping'
  | 'nameIdFormatMismatch'
  | 'nameIdFormatNotAccepted'
  | 'userPrincipalNameAsEmail'
  | 'emailFormatUnverified'
  | 'subjectAttributeMismatch'
  | 'opaqueNameIdFormat'
  | 'nameIdFormatNotChecked'
  | 'unspecifiedFormat'
  | 'userNameTransformed'
  | 'userNameNotUniqueCaseInsensitive'
  | 'certificateExpired'
  | 'certificateExpiring'
  | 'certificateNotYetValid'
  | 'certificateInvalid'
  | 'noSigningCertificate';

/** A certificate a finding is about. */
export interface SsoFindingCertificate {
  /** Whose certificate: the SP's (the application's) or the IdP's. */
  readonly role: 'sp' | 'idp';
  readonly subject: string;
  readonly notAfter: Date;
  readonly fingerprintSha256: string;
}

/** One thing a check found. */
export interface SsoFinding {
  readonly level: SsoFindingLevel;
  readonly code: SsoFindingCode;
  /** What was found and what to do, in words. */
  readonly message: string;
  /** `userNameNotUniqueCaseInsensitive`: the userNames that clash, one list per clash. */
  readonly clashes?: readonly (readonly string[])[];
  /** `nameIdFormatMismatch` on a sample: some of the userNames at fault (at most 5). */
  readonly examples?: readonly string[];
  /** Certificate findings: the certificate. */
  readonly certificate?: SsoFindingCertificate;
}

/** The checks, in the order {@link runSsoChecks} runs them. */
export type SsoCheckName = 'nameIdFormat' | 'userNames' | 'spCertificates' | 'idpCertificates';

/** The outcome of one check, in the shape of a `ConnectionCheck`, with its findings. */
export interface SsoCheck {
  readonly name: SsoCheckName;
  /** True when no finding is at `error` level (or the check was skipped). */
  readonly ok: boolean;
  /** True when the check was not run: what it needs was not given. */
  readonly skipped?: boolean;
  /** A one-line summary. */
  readonly detail: string;
  /** @unit milliseconds */
  readonly durationMs: number;
  /** What the check found, most serious first. */
  readonly findings: readonly SsoFinding[];
}

/** The result of the SSO checks, in the shape of a `ConnectionReport`. */
export interface SsoCheckReport {
  /** True when no check has an `error` finding. */
  readonly ok: boolean;
  readonly checks: readonly SsoCheck[];
}

const LEVEL_ORDER: Readonly<Record<SsoFindingLevel, number>> = { error: 0, warning: 1, info: 2 };

/** @internal A check from its findings: ok unless one is an error; findings sorted by level. */
export function makeCheck(
  name: SsoCheckName,
  started: number,
  detail: string,
  findings: readonly SsoFinding[],
): SsoCheck {
  const sorted = [...findings].sort((left, right) => LEVEL_ORDER[left.level] - LEVEL_ORDER[right.level]);
  return {
    name,
    ok: !sorted.some((finding) => finding.level === 'error'),
    detail,
    durationMs: Date.now() - started,
    findings: sorted,
  };
}

/** @internal A check that was not run. */
export function skippedCheck(name: SsoCheckName, detail: string): SsoCheck {
  return { name, ok: true, skipped: true, detail, durationMs: 0, findings: [] };
}

/** @internal A report from checks. */
export function makeReport(checks: readonly SsoCheck[]): SsoCheckReport {
  return { ok: checks.every((check) => check.ok), checks };
}
