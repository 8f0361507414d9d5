/**
 * Reading SAML 2.0 metadata (OASIS saml-metadata-2.0-os): `EntityDescriptor` or
 * `EntitiesDescriptor` -> {@link SamlEntity}.
 *
 * @module
 */
import { isSamlMetadataError, SamlMetadataError } from '../errors/SamlMetadataError';
import { readX509Certificate } from './certificate';
import type {
  SamlCertificate,
  SamlEndpoint,
  SamlEntity,
  SamlIdpRole,
  SamlIndexedEndpoint,
  SamlRoleDescriptor,
  SamlSpRole,
  UnreadableCertificate,
} from './types';
import { attribute, children, DEFAULT_METADATA_MAX_BYTES, parseXml, textOf, type XmlElement } from './xml';

const SAML2_PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';

/** Options of {@link readSamlEntities}. */
export interface ReadSamlEntitiesOptions {
  /**
   * The largest document accepted, checked on its UTF-8 byte length before anything is parsed.
   * @default 1048576 (1 MiB)
   * @unit bytes
   */
  readonly maxBytes?: number;
}

/** Options of {@link readSamlMetadata}. */
export interface ReadSamlMetadataOptions extends ReadSamlEntitiesOptions {
  /**
   * The entity to pick, by `entityID` (compared exactly). Needed when the document is an
   * `EntitiesDescriptor` with several entities that fit `role`.
   * @default the only entity (that has `role`)
   */
  readonly entityId?: string;
  /**
   * The role the entity must have: `'sp'` (an `SPSSODescriptor`) or `'idp'` (an `IDPSSODescriptor`).
   * @default any role
   */
  readonly role?: 'sp' | 'idp';
}

/**
 * Reads every entity of a metadata document: an `EntityDescriptor`'s one, or an
 * `EntitiesDescriptor`'s own entities in document order followed by those of nested
 * `EntitiesDescriptor`s.
 *
 * @throws SamlMetadataError `tooLarge`, `dtdForbidden`, `malformed` or `notMetadata`.
 */
export function readSamlEntities(
  document: string | Uint8Array,
  options: ReadSamlEntitiesOptions = {},
): SamlEntity[] {
  const maxBytes = options.maxBytes ?? DEFAULT_METADATA_MAX_BYTES;
  if (!Number.isInteger(maxBytes) || maxBytes <= 0) {
    throw new RangeError('readSamlEntities option maxBytes must be a positive whole number of bytes');
  }
  const root = parseXml(document, maxBytes);
  if (root.name === 'EntityDescriptor') return [readEntity(root.element, undefined)];
  if (root.name === 'EntitiesDescriptor') return readEntities(root.element, undefined);
  throw new SamlMetadataError(
    'notMetadata',
    `the root element is <${root.name}>, not a SAML 2.0 EntityDescriptor or EntitiesDescriptor`,
  );
}

/**
 * Reads one entity of a metadata document: the SP's (the Aquera application's) or the IdP's
 * (PingFederate's, PingOne's). With an `EntitiesDescriptor`, give `entityId` to pick one.
 *
 * DTDs are never processed (a document holding one is refused), entities other than the five XML
 * ones and character references are never expanded, and a document above `maxBytes` is refused
 * before parsing. Element and attribute names are matched by local name, whatever their prefix.
 *
 * @throws SamlMetadataError `tooLarge`, `dtdForbidden`, `malformed`, `notMetadata`,
 *   `entityNotFound` or `roleNotFound`. A certificate that cannot be read does not throw: it is
 *   listed in the role's `unreadableCertificates` (and reported by {@link checkSsoCertificates}).
 * @example
 * ```ts
 * import { readFile } from 'node:fs/promises';
 * import { readSamlMetadata } from 'aquera-provisioner/sso';
 *
 * const sp = readSamlMetadata(await readFile('aquera-sp-metadata.xml'), { role: 'sp' });
 * console.log(sp.entityId, sp.sp?.assertionConsumerServices.map((acs) => acs.location));
 * ```
 */
export function readSamlMetadata(
  document: string | Uint8Array,
  options: ReadSamlMetadataOptions = {},
): SamlEntity {
  const entities = readSamlEntities(document, options);
  const { entityId, role } = options;
  if (entityId !== undefined) {
    const found = entities.find((entity) => entity.entityId === entityId);
    if (found === undefined) {
      throw new SamlMetadataError(
        'entityNotFound',
        `no entity "${entityId}" (the document has ${describeIds(entities)})`,
      );
    }
    if (role !== undefined && found[role] === undefined) {
      throw new SamlMetadataError('roleNotFound', `the entity "${entityId}" has no ${roleElement(role)}`);
    }
    return found;
  }
  const candidates = role === undefined ? entities : entities.filter((entity) => entity[role] !== undefined);
  const [only] = candidates;
  if (candidates.length === 1 && only !== undefined) return only;
  if (candidates.length === 0) {
    throw new SamlMetadataError(
      role === undefined ? 'entityNotFound' : 'roleNotFound',
      role === undefined
        ? 'the document holds no entity'
        : `no entity has an ${roleElement(role)} (the document has ${describeIds(entities)})`,
    );
  }
  throw new SamlMetadataError(
    'entityNotFound',
    `the document holds ${candidates.length} entities${role === undefined ? '' : ` with an ${roleElement(role)}`}: pick one with the entityId option (${describeIds(candidates)})`,
  );
}

/**
 * The ACS endpoint an IdP uses when a request names none: the one marked `isDefault="true"`, else
 * the first not marked `isDefault="false"`, else the first (saml-metadata-2.0-os, 2.2.3).
 *
 * @example
 * ```ts
 * defaultAssertionConsumerService(readSamlMetadata(xml, { role: 'sp' }).sp!)?.location;
 * ```
 */
export function defaultAssertionConsumerService(sp: SamlSpRole): SamlIndexedEndpoint | undefined {
  const endpoints = sp.assertionConsumerServices;
  return (
    endpoints.find((endpoint) => endpoint.isDefault === true) ??
    endpoints.find((endpoint) => endpoint.isDefault === undefined) ??
    endpoints[0]
  );
}

// ------------------------------------------------------------------------------------------------

function readEntities(element: XmlElement, inheritedValidUntil: Date | undefined): SamlEntity[] {
  const validUntil = dateAttribute(element, 'validUntil') ?? inheritedValidUntil;
  const entities: SamlEntity[] = [];
  // Children of either kind, in document order within each kind (nesting depth is bounded by the parser).
  for (const entity of children(element, 'EntityDescriptor')) entities.push(readEntity(entity, validUntil));
  for (const nested of children(element, 'EntitiesDescriptor'))
    entities.push(...readEntities(nested, validUntil));
  return entities;
}

function readEntity(element: XmlElement, inheritedValidUntil: Date | undefined): SamlEntity {
  const entityId = attribute(element, 'entityID')?.trim();
  if (entityId === undefined || entityId === '') {
    throw new SamlMetadataError('notMetadata', 'an EntityDescriptor has no entityID');
  }
  const validUntil = dateAttribute(element, 'validUntil') ?? inheritedValidUntil;
  const spElement = pickRole(children(element, 'SPSSODescriptor'));
  const idpElement = pickRole(children(element, 'IDPSSODescriptor'));
  return {
    entityId,
    ...(spElement === undefined ? {} : { sp: readSp(spElement) }),
    ...(idpElement === undefined ? {} : { idp: readIdp(idpElement) }),
    ...(validUntil === undefined ? {} : { validUntil }),
  };
}

/** The first role descriptor that lists the SAML 2.0 protocol, else the first. */
function pickRole(elements: readonly XmlElement[]): XmlElement | undefined {
  return (
    elements.find((element) =>
      (attribute(element, 'protocolSupportEnumeration') ?? '').split(/\s+/).includes(SAML2_PROTOCOL),
    ) ?? elements[0]
  );
}

function readSp(element: XmlElement): SamlSpRole {
  const authnRequestsSigned = booleanAttribute(element, 'AuthnRequestsSigned');
  const wantAssertionsSigned = booleanAttribute(element, 'WantAssertionsSigned');
  return {
    ...readCommon(element),
    assertionConsumerServices: children(element, 'AssertionConsumerService').flatMap((endpoint) => {
      const base = readEndpoint(endpoint);
      if (base === undefined) return [];
      const index = attribute(endpoint, 'index')?.trim();
      const isDefault = booleanAttribute(endpoint, 'isDefault');
      return [
        {
          ...base,
          ...(index !== undefined && /^\d{1,5}$/.test(index) ? { index: Number(index) } : {}),
          ...(isDefault === undefined ? {} : { isDefault }),
        },
      ];
    }),
    ...(authnRequestsSigned === undefined ? {} : { authnRequestsSigned }),
    ...(wantAssertionsSigned === undefined ? {} : { wantAssertionsSigned }),
  };
}

function readIdp(element: XmlElement): SamlIdpRole {
  const wantAuthnRequestsSigned = booleanAttribute(element, 'WantAuthnRequestsSigned');
  return {
    ...readCommon(element),
    singleSignOnServices: children(element, 'SingleSignOnService').flatMap((endpoint) => {
      const base = readEndpoint(endpoint);
      return base === undefined ? [] : [base];
    }),
    ...(wantAuthnRequestsSigned === undefined ? {} : { wantAuthnRequestsSigned }),
  };
}

function readCommon(element: XmlElement): SamlRoleDescriptor {
  const certificates: SamlCertificate[] = [];
  const unreadable: UnreadableCertificate[] = [];
  for (const key of children(element, 'KeyDescriptor')) {
    const useText = attribute(key, 'use')?.trim();
    const use = useText === 'signing' || useText === 'encryption' ? useText : undefined;
    const texts = children(key, 'KeyInfo')
      .flatMap((info) => children(info, 'X509Data'))
      .flatMap((data) => children(data, 'X509Certificate'))
      .map(textOf);
    for (const text of texts) {
      try {
        certificates.push(readX509Certificate(text, use));
      } catch (error) {
        if (!isSamlMetadataError(error)) throw error;
        unreadable.push({ ...(use === undefined ? {} : { use }), reason: error.message });
      }
    }
  }
  return {
    nameIdFormats: children(element, 'NameIDFormat')
      .map(textOf)
      .filter((format) => format !== ''),
    certificates,
    signingCertificates: certificates.filter((certificate) => certificate.use !== 'encryption'),
    unreadableCertificates: unreadable,
  };
}

function readEndpoint(element: XmlElement): SamlEndpoint | undefined {
  const binding = attribute(element, 'Binding')?.trim();
  const location = attribute(element, 'Location')?.trim();
  if (binding === undefined || binding === '' || location === undefined || location === '') return undefined;
  return { binding, location };
}

function booleanAttribute(element: XmlElement, name: string): boolean | undefined {
  const value = attribute(element, name)?.trim();
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return undefined;
}

function dateAttribute(element: XmlElement, name: string): Date | undefined {
  const value = attribute(element, name)?.trim();
  if (value === undefined) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function roleElement(role: 'sp' | 'idp'): string {
  return role === 'sp' ? 'SPSSODescriptor' : 'IDPSSODescriptor';
}

function describeIds(entities: readonly SamlEntity[]): string {
  if (entities.length === 0) return 'no entity';
  const shown = entities.slice(0, 5).map((entity) => `"${entity.entityId}"`);
  return `${entities.length === 1 ? 'entity' : 'entities'} ${shown.join(', ')}${entities.length > 5 ? ', …' : ''}`;
}
