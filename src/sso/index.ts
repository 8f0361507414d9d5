/**
 * aquera-provisioner/sso: browser SSO alongside provisioning. SAML 2.0 metadata reading (SP and
 * IdP), IdP-initiated links for PingFederate and PingOne, the SP-initiated link, and the checks
 * that a provisioned user can sign in: the NameID the IdP sends against the userName the engine
 * provisions, and the signing certificates' expiry.
 *
 * The SAML exchange itself stays the identity provider's job. A subpath of its own, so that the
 * core package does not load an XML parser. This barrel lists every export by name.
 *
 * @example
 * ```ts
 * import { readFile } from 'node:fs/promises';
 * import { ACTIVE_DIRECTORY_USER_MAPPING } from 'aquera-provisioner';
 * import { pingFederateIdpInitiatedUrl, readSamlMetadata, runSsoChecks } from 'aquera-provisioner/sso';
 *
 * const sp = readSamlMetadata(await readFile('aquera-sp.xml'), { role: 'sp' });
 * const idp = readSamlMetadata(await readFile('pingfederate-idp.xml'), { role: 'idp' });
 * const report = runSsoChecks({ sp, idp, userMapping: ACTIVE_DIRECTORY_USER_MAPPING });
 * const link = pingFederateIdpInitiatedUrl({ host: 'pf.example.com:9031', partnerSpId: sp.entityId });
 * ```
 *
 * @packageDocumentation
 */

// checks/
export type { CertificateCheckInput } from './checks/certificates';
export { checkSsoCertificates } from './checks/certificates';
export type { NameIdCheckInput } from './checks/nameid';
export { checkNameId, NAMEID_FORMATS } from './checks/nameid';
export type {
  SsoCheck,
  SsoCheckName,
  SsoCheckReport,
  SsoFinding,
  SsoFindingCertificate,
  SsoFindingCode,
  SsoFindingLevel,
} from './checks/report';
export type { SsoChecksInput } from './checks/run';
export { runSsoChecks } from './checks/run';
// errors/
export type { SamlMetadataErrorCode } from './errors/SamlMetadataError';
export { isSamlMetadataError, SamlMetadataError } from './errors/SamlMetadataError';
export { isSsoError, SsoError } from './errors/SsoError';
export { isSsoLinkError, SsoLinkError } from './errors/SsoLinkError';
// links/
export type { PingFederateIdpInitiatedOptions } from './links/pingfederate';
export { pingFederateIdpInitiatedUrl } from './links/pingfederate';
export type { PingOneIdpInitiatedOptions, PingOneRegion } from './links/pingone';
export { PINGONE_AUTH_HOSTS, pingOneIdpInitiatedUrl } from './links/pingone';
export type { SpInitiatedOptions } from './links/sp-initiated';
export { spInitiatedUrl } from './links/sp-initiated';
// metadata/
export { readX509Certificate } from './metadata/certificate';
export type { ReadSamlEntitiesOptions, ReadSamlMetadataOptions } from './metadata/read';
export { defaultAssertionConsumerService, readSamlEntities, readSamlMetadata } from './metadata/read';
export type {
  SamlCertificate,
  SamlEndpoint,
  SamlEntity,
  SamlIdpRole,
  SamlIndexedEndpoint,
  SamlRoleDescriptor,
  SamlSpRole,
  UnreadableCertificate,
} from './metadata/types';
export { DEFAULT_METADATA_MAX_BYTES } from './metadata/xml';
