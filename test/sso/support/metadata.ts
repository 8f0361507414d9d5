/**
 * SAML metadata documents in the styles the SDK meets, built in the tests: PingFederate's (an `md:`
 * prefix), PingOne's (default namespaces), Aquera's application (an `md:` root with a `saml2md:`
 * mix, several ACS endpoints and certificates), and an `EntitiesDescriptor` holding several.
 */

export const BINDING_POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
export const BINDING_REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
export const BINDING_ARTIFACT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact';
export const NAMEID_EMAIL = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
export const NAMEID_UNSPECIFIED = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';
export const NAMEID_PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';

/** Escapes text for an XML attribute or element. */
export function xmlEscape(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Base64 folded at 64 columns with indentation, as PingFederate writes it. */
function folded(base64: string): string {
  return base64.replace(/.{1,64}/g, '\n            $&');
}

export interface IdpDocumentInput {
  readonly entityId: string;
  readonly ssoBase: string;
  readonly signing: readonly string[];
  readonly nameIdFormats?: readonly string[];
}

/** PingFederate's IdP metadata (`/pf/federation_metadata.ping`): `md:` and `ds:` prefixes. */
export function pingFederateIdpMetadata(input: IdpDocumentInput): string {
  const keys = input.signing
    .map(
      (base64) => `
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo>
        <ds:X509Data>
          <ds:X509Certificate>${folded(base64)}
          </ds:X509Certificate>
        </ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>`,
    )
    .join('');
  const formats = (input.nameIdFormats ?? [NAMEID_UNSPECIFIED])
    .map((format) => `\n    <md:NameIDFormat>${format}</md:NameIDFormat>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" ID="pf-1" cacheDuration="PT1440M" entityID="${xmlEscape(input.entityId)}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" WantAuthnRequestsSigned="false">${keys}${formats}
    <md:SingleSignOnService Binding="${BINDING_POST}" Location="${xmlEscape(input.ssoBase)}/idp/SSO.saml2"/>
    <md:SingleSignOnService Binding="${BINDING_REDIRECT}" Location="${xmlEscape(input.ssoBase)}/idp/SSO.saml2"/>
  </md:IDPSSODescriptor>
  <md:ContactPerson contactType="administrative"/>
</md:EntityDescriptor>
`;
}

/** PingOne's IdP metadata: default namespaces, no prefixes, one line per element. */
export function pingOneIdpMetadata(input: IdpDocumentInput): string {
  const keys = input.signing
    .map(
      (base64) =>
        `<KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>${base64}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>`,
    )
    .join('');
  const formats = (input.nameIdFormats ?? [NAMEID_EMAIL, NAMEID_UNSPECIFIED])
    .map((format) => `<NameIDFormat>${format}</NameIDFormat>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8" standalone="no"?><EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${xmlEscape(input.entityId)}"><IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${keys}${formats}<SingleSignOnService Binding="${BINDING_POST}" Location="${xmlEscape(input.ssoBase)}/saml20/idp/sso"/><SingleSignOnService Binding="${BINDING_REDIRECT}" Location="${xmlEscape(input.ssoBase)}/saml20/idp/sso"/></IDPSSODescriptor></EntityDescriptor>`;
}

export interface SpDocumentInput {
  readonly entityId: string;
  readonly acs: readonly { binding: string; location: string; index: number; isDefault?: boolean }[];
  readonly signing: readonly string[];
  readonly encryption?: readonly string[];
  /** Certificates with no `use` (they count as signing). */
  readonly unspecifiedUse?: readonly string[];
  readonly nameIdFormats?: readonly string[];
}

/** The Aquera application's SP metadata: `md:` root, `ds:` keys, several ACS and keys. */
export function aqueraSpMetadata(input: SpDocumentInput): string {
  const key = (use: string | undefined, base64: string) =>
    `
    <md:KeyDescriptor${use === undefined ? '' : ` use="${use}"`}>
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${base64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>`;
  const keys = [
    ...input.signing.map((base64) => key('signing', base64)),
    ...(input.encryption ?? []).map((base64) => key('encryption', base64)),
    ...(input.unspecifiedUse ?? []).map((base64) => key(undefined, base64)),
  ].join('');
  const formats = (input.nameIdFormats ?? [NAMEID_EMAIL])
    .map((format) => `\n    <md:NameIDFormat>${format}</md:NameIDFormat>`)
    .join('');
  const acs = input.acs
    .map(
      (endpoint) =>
        `\n    <md:AssertionConsumerService Binding="${endpoint.binding}" Location="${xmlEscape(endpoint.location)}" index="${endpoint.index}"${endpoint.isDefault === undefined ? '' : ` isDefault="${endpoint.isDefault}"`}/>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Aquera application metadata, generated for a test -->
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${xmlEscape(input.entityId)}" validUntil="2099-01-01T00:00:00Z">
  <md:SPSSODescriptor AuthnRequestsSigned="true" WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${keys}
    <md:SingleLogoutService Binding="${BINDING_REDIRECT}" Location="https://app.example.com/saml/logout"/>${formats}${acs}
  </md:SPSSODescriptor>
</md:EntityDescriptor>
`;
}

/** An `EntitiesDescriptor` (prefix `m:`) holding the given `EntityDescriptor` documents. */
export function entitiesDescriptor(documents: readonly string[], nested: readonly string[] = []): string {
  const strip = (document: string) => document.replace(/<\?xml[^>]*\?>/, '').replace(/<!--[\s\S]*?-->/g, '');
  const inner = documents.map(strip).join('\n');
  const nestedBlock =
    nested.length === 0
      ? ''
      : `\n<m:EntitiesDescriptor Name="nested">${nested.map(strip).join('\n')}</m:EntitiesDescriptor>`;
  return `<?xml version="1.0"?>
<m:EntitiesDescriptor xmlns:m="urn:oasis:names:tc:SAML:2.0:metadata" Name="federation">
${inner}${nestedBlock}
</m:EntitiesDescriptor>
`;
}
