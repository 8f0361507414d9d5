/**
 * The NameID consistency check: will the SAML subject the IdP sends match the userName this SDK
 * provisions? Rules, in order (docs/provisioning-and-sso.md lists them with examples):
 *
 * 1. The mapping must fill `userName` (`noUserNameMapping`, error).
 * 2. The format checked is `nameIdFormat` when given (it must be one the SP lists:
 *    `nameIdFormatNotAccepted`, error), else the first the SP lists, else `unspecified`.
 * 3. `emailAddress`: userName mapped from an attribute that never holds an address (`sAMAccountName`,
 *    `uid`, `cn`, `employeeID`, …) or sample userNames that are not addresses ->
 *    `nameIdFormatMismatch` (error); from `userPrincipalName` -> `userPrincipalNameAsEmail`
 *    (warning: the UPN suffix is often not the mail domain); from an attribute the check does not
 *    know, without a sample -> `emailFormatUnverified` (info).
 * 4. `persistent` / `transient`: the subject is an opaque id, not the userName ->
 *    `opaqueNameIdFormat` (warning). `unspecified` (or no format) -> `unspecifiedFormat` (info).
 *    Any other format -> `nameIdFormatNotChecked` (info).
 * 5. `subjectAttribute` (the source attribute the IdP puts in the subject) other than the one
 *    userName is mapped from -> `subjectAttributeMismatch` (error).
 * 6. A custom transform on userName -> `userNameTransformed` (warning: the IdP sends the raw value);
 *    `lower`/`upper` -> the same code at info level.
 * 7. Sample userNames equal when compared case-insensitively -> `userNameNotUniqueCaseInsensitive`
 *    (error, each clash listed): the IdP's subject would match two accounts, or the wrong one.
 *
 * @module
 */
import type { AttributeMapping, MappingRule, MappingTransform } from '../../engine/mapping/types';
import type { SamlEntity, SamlSpRole } from '../metadata/types';
import {
  makeCheck,
  makeReport,
  type SsoCheck,
  type SsoCheckReport,
  type SsoFinding,
  skippedCheck,
} from './report';

/** NameID format URIs (saml-core-2.0-os, 8.3). */
export const NAMEID_FORMATS = Object.freeze({
  unspecified: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
  emailAddress: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  x509SubjectName: 'urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName',
  windowsDomainQualifiedName: 'urn:oasis:names:tc:SAML:1.1:nameid-format:WindowsDomainQualifiedName',
  kerberos: 'urn:oasis:names:tc:SAML:2.0:nameid-format:kerberos',
  entity: 'urn:oasis:names:tc:SAML:2.0:nameid-format:entity',
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  transient: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
} as const);

/** Source attributes that never hold an e-mail address (compared case-insensitively). */
const NOT_EMAIL_ATTRIBUTES = new Set(
  [
    'sAMAccountName',
    'uid',
    'cn',
    'employeeID',
    'employeeNumber',
    'objectGUID',
    'objectSid',
    'entryUUID',
    'uidNumber',
    'displayName',
    'givenName',
    'sn',
    'name',
  ].map((name) => name.toLowerCase()),
);

/** Source attributes that hold an e-mail address. */
const EMAIL_ATTRIBUTES = new Set(['mail', 'email', 'emailaddress']);

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** How many sample values a finding shows. */
const EXAMPLES_SHOWN = 5;

/** Input of {@link checkNameId}. */
export interface NameIdCheckInput {
  /** The SP's metadata (the Aquera application's): its entity, or its SP role. */
  readonly sp: SamlEntity | SamlSpRole;
  /**
   * The user mapping the engine provisions with (`EngineOptions.mapping.users`): the check reads
   * which source attribute, and which transforms, fill `userName`.
   */
  readonly userMapping: AttributeMapping;
  /**
   * The NameID format the IdP is configured to send (PingFederate: the SP connection's
   * "NameID format"; PingOne: the application's "Subject NameID format").
   * @default the first format the SP's metadata lists, else `unspecified`
   */
  readonly nameIdFormat?: string;
  /**
   * The directory attribute the IdP puts in the SAML subject (PingFederate: what `SAML_SUBJECT`
   * is fulfilled from; PingOne: the "SAML_SUBJECT" attribute mapping), when known.
   * @default unknown: rule 5 is not applied
   */
  readonly subjectAttribute?: string;
  /**
   * userNames as provisioned, or as the mapping gives them before the first sync (a sample, or all
   * of them). Without it, only the mapping is checked.
   * @default none: the `userNames` check is skipped
   */
  readonly userNames?: Iterable<string>;
}

/**
 * Checks that the SAML subject the IdP will send matches the userName the SDK provisions: run it
 * before the first sync, since this is what fails after provisioning works and sign-in does not.
 * Returns two checks, `nameIdFormat` (mapping and metadata) and `userNames` (the sample).
 *
 * @example
 * ```ts
 * import { ACTIVE_DIRECTORY_USER_MAPPING } from 'aquera-provisioner';
 * import { checkNameId, readSamlMetadata } from 'aquera-provisioner/sso';
 *
 * const report = checkNameId({
 *   sp: readSamlMetadata(spXml, { role: 'sp' }),
 *   userMapping: { ...ACTIVE_DIRECTORY_USER_MAPPING, userName: 'sAMAccountName' },
 * });
 * report.ok; // false when the SP asks for emailAddress NameIDs
 * ```
 */
export function checkNameId(input: NameIdCheckInput): SsoCheckReport {
  const started = Date.now();
  const sp = 'entityId' in input.sp ? input.sp.sp : input.sp;
  const formats = sp?.nameIdFormats ?? [];
  const rule = userNameRule(input.userMapping);
  const findings: SsoFinding[] = [];
  const sample =
    input.userNames === undefined ? undefined : [...input.userNames].filter((name) => name !== '');

  if (rule === undefined) {
    findings.push({
      level: 'error',
      code: 'noUserNameMapping',
      message: 'the user mapping does not fill userName, so no provisioned account can be matched at sign-in',
    });
    return makeReport([
      makeCheck('nameIdFormat', started, 'userName is not mapped', findings),
      userNamesCheck(sample, undefined, started),
    ]);
  }

  let format = input.nameIdFormat ?? formats[0] ?? NAMEID_FORMATS.unspecified;
  if (input.nameIdFormat !== undefined && formats.length > 0 && !formats.includes(input.nameIdFormat)) {
    findings.push({
      level: 'error',
      code: 'nameIdFormatNotAccepted',
      message: `the IdP sends ${input.nameIdFormat}, which the SP's metadata does not list (it lists ${formats.join(', ')})`,
    });
    format = input.nameIdFormat;
  }
  const formatFindings = formatRules(format, rule, sample);
  findings.push(...formatFindings);
  if (formatFindings.some((finding) => finding.level === 'error') && input.nameIdFormat === undefined) {
    const workable = formats
      .slice(1)
      .find((other) => !formatRules(other, rule, sample).some((f) => f.level === 'error'));
    if (workable !== undefined) {
      findings.push({
        level: 'info',
        code: 'nameIdFormatNotChecked',
        message: `the SP also accepts ${workable}, which fits userName from ${rule.from}: configure the IdP to send that format`,
      });
    }
  }

  if (
    input.subjectAttribute !== undefined &&
    input.subjectAttribute.toLowerCase() !== rule.from.toLowerCase()
  ) {
    findings.push({
      level: 'error',
      code: 'subjectAttributeMismatch',
      message: `the IdP puts ${input.subjectAttribute} in the SAML subject, but userName is provisioned from ${rule.from}: map the subject from ${rule.from}, or userName from ${input.subjectAttribute}`,
    });
  }

  const custom = rule.transforms.filter((transform) => typeof transform === 'function');
  const caseChange = rule.transforms.filter((transform) => transform === 'lower' || transform === 'upper');
  if (custom.length > 0) {
    findings.push({
      level: 'warning',
      code: 'userNameTransformed',
      message: `userName is ${rule.from} changed by a custom transform; the IdP sends ${rule.from} as it is in the directory, so make it apply the same change`,
    });
  } else if (caseChange.length > 0) {
    findings.push({
      level: 'info',
      code: 'userNameTransformed',
      message: `userName is ${rule.from} in ${caseChange.join('/')} case; sign-in works if the SP matches the subject case-insensitively, or if the IdP sends the same case`,
    });
  }

  const detail = `the IdP sends ${shortFormat(format)} NameIDs; userName comes from ${rule.from}${
    input.subjectAttribute === undefined ? '' : `, the subject from ${input.subjectAttribute}`
  }`;
  return makeReport([
    makeCheck('nameIdFormat', started, detail, findings),
    userNamesCheck(sample, format, Date.now()),
  ]);
}

interface UserNameRule {
  readonly from: string;
  readonly transforms: readonly MappingTransform[];
}

function userNameRule(mapping: AttributeMapping): UserNameRule | undefined {
  const key = Object.keys(mapping).find((name) => name.toLowerCase() === 'username');
  const entry: string | MappingRule | undefined = key === undefined ? undefined : mapping[key];
  if (entry === undefined) return undefined;
  if (typeof entry === 'string') return { from: entry, transforms: [] };
  const transform = entry.transform;
  const transforms: readonly MappingTransform[] =
    transform === undefined ? [] : Array.isArray(transform) ? transform : [transform as MappingTransform];
  return { from: entry.from, transforms };
}

/** Rules 3 and 4 for one format. */
function formatRules(
  format: string,
  rule: UserNameRule,
  sample: readonly string[] | undefined,
): SsoFinding[] {
  const attribute = rule.from.toLowerCase();
  switch (format) {
    case NAMEID_FORMATS.emailAddress: {
      if (NOT_EMAIL_ATTRIBUTES.has(attribute)) {
        return [
          {
            level: 'error',
            code: 'nameIdFormatMismatch',
            message: `the SP asks for emailAddress NameIDs, but userName is mapped from ${rule.from}, which is not an e-mail address: map userName from mail (or userPrincipalName when it is the address), or have the SP accept another format`,
          },
        ];
      }
      if (sample !== undefined && sample.length > 0) {
        const wrong = sample.filter((name) => !EMAIL_SHAPE.test(name));
        if (wrong.length > 0) {
          return [
            {
              level: 'error',
              code: 'nameIdFormatMismatch',
              message: `the SP asks for emailAddress NameIDs, but ${wrong.length} of ${sample.length} userNames are not e-mail addresses`,
              examples: wrong.slice(0, EXAMPLES_SHOWN),
            },
          ];
        }
      }
      if (attribute === 'userprincipalname') {
        return [
          {
            level: 'warning',
            code: 'userPrincipalNameAsEmail',
            message:
              'the SP asks for emailAddress NameIDs and userName is the userPrincipalName: make sure the IdP sends the UPN (not mail) as the subject; the UPN suffix is often not the mail domain',
          },
        ];
      }
      if (!EMAIL_ATTRIBUTES.has(attribute) && (sample === undefined || sample.length === 0)) {
        return [
          {
            level: 'info',
            code: 'emailFormatUnverified',
            message: `the SP asks for emailAddress NameIDs and userName comes from ${rule.from}: give a sample of userNames to check that they are addresses`,
          },
        ];
      }
      return [];
    }
    case NAMEID_FORMATS.unspecified:
      return [
        {
          level: 'info',
          code: 'unspecifiedFormat',
          message: `the SP takes any NameID: configure the IdP to send ${rule.from} (what userName is provisioned from) as the subject`,
        },
      ];
    case NAMEID_FORMATS.persistent:
    case NAMEID_FORMATS.transient:
      return [
        {
          level: 'warning',
          code: 'opaqueNameIdFormat',
          message: `the SP asks for ${shortFormat(format)} NameIDs, an opaque id rather than the userName: the SP must match accounts by an attribute in the assertion (send userName as one), or ask for another format`,
        },
      ];
    default:
      return [
        {
          level: 'info',
          code: 'nameIdFormatNotChecked',
          message: `the SP asks for ${format} NameIDs, which this check does not judge: make sure the IdP sends the userName (${rule.from}) in that form`,
        },
      ];
  }
}

/** Rule 7, and rule 3 on the sample (reported under `nameIdFormat`). */
function userNamesCheck(
  sample: readonly string[] | undefined,
  format: string | undefined,
  started: number,
): SsoCheck {
  if (sample === undefined)
    return skippedCheck('userNames', 'no userNames given: only the mapping was checked');
  const groups = new Map<string, string[]>();
  for (const name of sample) {
    const key = name.normalize('NFC').toLowerCase();
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [name]);
    else group.push(name);
  }
  const clashes = [...groups.values()].filter((group) => group.length > 1);
  const findings: SsoFinding[] =
    clashes.length === 0
      ? []
      : [
          {
            level: 'error',
            code: 'userNameNotUniqueCaseInsensitive',
            message: `${clashes.length} userName${clashes.length === 1 ? ' is' : 's are'} shared by several users when compared case-insensitively (as most SPs and IdPs compare them): ${clashes
              .slice(0, EXAMPLES_SHOWN)
              .map((group) => group.join(' / '))
              .join('; ')}${clashes.length > EXAMPLES_SHOWN ? '; …' : ''}`,
            clashes,
          },
        ];
  const shape =
    format === NAMEID_FORMATS.emailAddress
      ? `, ${sample.filter((name) => EMAIL_SHAPE.test(name)).length} shaped as e-mail addresses`
      : '';
  return makeCheck('userNames', started, `${sample.length} userNames checked${shape}`, findings);
}

function shortFormat(format: string): string {
  return /^urn:oasis:names:tc:SAML:\d\.\d:nameid-format:/.test(format)
    ? (format.split(':').pop() ?? format)
    : format;
}
