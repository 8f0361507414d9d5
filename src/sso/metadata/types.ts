/**
 * What a SAML 2.0 metadata document says about one entity (an SP, an IdP or both), as read by
 * {@link readSamlMetadata}. Plain data: no XML, no functions.
 *
 * @module
 */

/** An endpoint: where messages go, and how (its SAML binding URI). */
export interface SamlEndpoint {
  /** The binding URI, e.g. `urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST`. */
  readonly binding: string;
  /** The URL, as written in the metadata. */
  readonly location: string;
}

/** An indexed endpoint: an `AssertionConsumerService`. */
export interface SamlIndexedEndpoint extends SamlEndpoint {
  /** The `index` attribute, when it is a whole number. */
  readonly index?: number;
  /** The `isDefault` attribute: `true`, `false`, or absent (`undefined`). */
  readonly isDefault?: boolean;
}

/** A certificate of a `KeyDescriptor`, read with node:crypto's `X509Certificate`. */
export interface SamlCertificate {
  /**
   * The `use` attribute of its `KeyDescriptor`: `signing`, `encryption`, or `undefined` when the
   * metadata does not say (such a key is used for both).
   */
  readonly use?: 'signing' | 'encryption';
  /** The certificate in PEM form (`-----BEGIN CERTIFICATE-----`…). */
  readonly pem: string;
  /** The subject's distinguished name, its parts joined by `, ` (`CN=sso.example.com, O=Example`). */
  readonly subject: string;
  /** The issuer's distinguished name, in the same form. */
  readonly issuer: string;
  /** Start of the validity period. */
  readonly notBefore: Date;
  /** End of the validity period. */
  readonly notAfter: Date;
  /** SHA-256 fingerprint, as colon-separated upper-case hex pairs (`AB:CD:…`). */
  readonly fingerprintSha256: string;
}

/** A `KeyDescriptor` whose certificate could not be read (reported, never thrown). */
export interface UnreadableCertificate {
  /** The `use` attribute of its `KeyDescriptor`, as for {@link SamlCertificate.use}. */
  readonly use?: 'signing' | 'encryption';
  /** Why it could not be read. */
  readonly reason: string;
}

/** What both roles have in common. */
export interface SamlRoleDescriptor {
  /** The `NameIDFormat` URIs, in document order (the first is the preferred one). */
  readonly nameIdFormats: readonly string[];
  /** Every readable certificate, signing and encryption. */
  readonly certificates: readonly SamlCertificate[];
  /** The certificates used for signing: `use="signing"` or no `use`. */
  readonly signingCertificates: readonly SamlCertificate[];
  /** Certificates that could not be read. */
  readonly unreadableCertificates: readonly UnreadableCertificate[];
}

/** The service provider role (`SPSSODescriptor`): the application people sign in to. */
export interface SamlSpRole extends SamlRoleDescriptor {
  /** Where the IdP posts its responses, in document order. */
  readonly assertionConsumerServices: readonly SamlIndexedEndpoint[];
  /** `AuthnRequestsSigned`, when the metadata says. */
  readonly authnRequestsSigned?: boolean;
  /** `WantAssertionsSigned`, when the metadata says. */
  readonly wantAssertionsSigned?: boolean;
}

/** The identity provider role (`IDPSSODescriptor`): PingFederate, PingOne. */
export interface SamlIdpRole extends SamlRoleDescriptor {
  /** Where SP-initiated requests go, in document order. */
  readonly singleSignOnServices: readonly SamlEndpoint[];
  /** `WantAuthnRequestsSigned`, when the metadata says. */
  readonly wantAuthnRequestsSigned?: boolean;
}

/** One entity of a metadata document. */
export interface SamlEntity {
  /** The `entityID`: the SP's or IdP's name in SAML (PingFederate: its "Partner's Entity ID"). */
  readonly entityId: string;
  /** Its SP role, when it has one (the first `SPSSODescriptor` that supports SAML 2.0). */
  readonly sp?: SamlSpRole;
  /** Its IdP role, when it has one (the first `IDPSSODescriptor` that supports SAML 2.0). */
  readonly idp?: SamlIdpRole;
  /** `validUntil` of the entity (or of an enclosing `EntitiesDescriptor`), when given. */
  readonly validUntil?: Date;
}
