/**
 * Reading SAML metadata in the styles PingFederate, PingOne and an Aquera application write, with
 * certificates generated at test time; and refusing hostile documents before they are parsed.
 */
import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { isSamlMetadataError, type SamlMetadataErrorCode } from '../../../src/sso/errors/SamlMetadataError';
import { isSsoError } from '../../../src/sso/errors/SsoError';
import {
  defaultAssertionConsumerService,
  readSamlEntities,
  readSamlMetadata,
} from '../../../src/sso/metadata/read';
import { daysFrom, makeCertificate, type TestCertificate } from '../support/certificates';
import {
  aqueraSpMetadata,
  BINDING_ARTIFACT,
  BINDING_POST,
  BINDING_REDIRECT,
  entitiesDescriptor,
  NAMEID_EMAIL,
  NAMEID_PERSISTENT,
  NAMEID_UNSPECIFIED,
  pingFederateIdpMetadata,
  pingOneIdpMetadata,
} from '../support/metadata';

const now = new Date();
let near: TestCertificate;
let far: TestCertificate;
let expired: TestCertificate;
let encryption: TestCertificate;

beforeAll(async () => {
  [near, far, expired, encryption] = await Promise.all([
    makeCertificate('near.example.com', daysFrom(now, -300), daysFrom(now, 10)),
    makeCertificate('far.example.com', daysFrom(now, -1), daysFrom(now, 3650)),
    makeCertificate('old.example.com', daysFrom(now, -800), daysFrom(now, -30)),
    makeCertificate('enc.example.com', daysFrom(now, -1), daysFrom(now, 700)),
  ]);
});

/** Runs `action` and returns the code of the SamlMetadataError it throws. */
function refusal(action: () => unknown): { code: SamlMetadataErrorCode; message: string } {
  try {
    action();
  } catch (error) {
    if (isSamlMetadataError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a SamlMetadataError, nothing was thrown');
}

const AQUERA_ENTITY = 'https://app.example.com/saml/metadata?tenant=a&b';

function aqueraDocument(): string {
  return aqueraSpMetadata({
    entityId: AQUERA_ENTITY,
    acs: [
      { binding: BINDING_ARTIFACT, location: 'https://app.example.com/saml/acs/artifact', index: 2 },
      {
        binding: BINDING_POST,
        location: 'https://app.example.com/saml/acs?x=1&y=2',
        index: 0,
        isDefault: true,
      },
      {
        binding: BINDING_REDIRECT,
        location: 'https://app.example.com/saml/acs/redirect',
        index: 1,
        isDefault: false,
      },
    ],
    signing: [near.base64, far.base64],
    encryption: [encryption.base64],
    nameIdFormats: [NAMEID_EMAIL, NAMEID_UNSPECIFIED],
  });
}

describe('readSamlMetadata: documents as the products write them', () => {
  it('reads an Aquera-style SP document: every ACS endpoint, formats, certificates by use', () => {
    const entity = readSamlMetadata(aqueraDocument(), { role: 'sp' });
    expect(entity.entityId).toBe(AQUERA_ENTITY);
    expect(entity.idp).toBeUndefined();
    expect(entity.validUntil?.toISOString()).toBe('2099-01-01T00:00:00.000Z');
    const sp = entity.sp!;
    expect(sp.assertionConsumerServices).toEqual([
      { binding: BINDING_ARTIFACT, location: 'https://app.example.com/saml/acs/artifact', index: 2 },
      {
        binding: BINDING_POST,
        location: 'https://app.example.com/saml/acs?x=1&y=2',
        index: 0,
        isDefault: true,
      },
      {
        binding: BINDING_REDIRECT,
        location: 'https://app.example.com/saml/acs/redirect',
        index: 1,
        isDefault: false,
      },
    ]);
    expect(defaultAssertionConsumerService(sp)?.location).toBe('https://app.example.com/saml/acs?x=1&y=2');
    expect(sp.nameIdFormats).toEqual([NAMEID_EMAIL, NAMEID_UNSPECIFIED]);
    expect(sp.authnRequestsSigned).toBe(true);
    expect(sp.wantAssertionsSigned).toBe(true);
    expect(sp.certificates.map((certificate) => certificate.use)).toEqual([
      'signing',
      'signing',
      'encryption',
    ]);
    expect(sp.signingCertificates.map((certificate) => certificate.subject)).toEqual([
      'CN=near.example.com, O=Test',
      'CN=far.example.com, O=Test',
    ]);
    expect(sp.unreadableCertificates).toEqual([]);
  });

  it('gives each certificate its PEM, validity dates and SHA-256 fingerprint', () => {
    const [first] = readSamlMetadata(aqueraDocument()).sp!.signingCertificates;
    expect(first?.notBefore.getTime()).toBe(near.notBefore.getTime());
    expect(first?.notAfter.getTime()).toBe(near.notAfter.getTime());
    const reference = new X509Certificate(near.pem);
    expect(first?.fingerprintSha256).toBe(reference.fingerprint256);
    expect(new X509Certificate(first!.pem).fingerprint256).toBe(reference.fingerprint256);
    expect(first?.pem).toMatch(
      /^-----BEGIN CERTIFICATE-----\n(?:[A-Za-z0-9+/=]{1,64}\n)+-----END CERTIFICATE-----\n$/,
    );
  });

  it('reads a PingFederate IdP document (md:/ds: prefixes, folded base64) with two signing certificates', () => {
    const entity = readSamlMetadata(
      pingFederateIdpMetadata({
        entityId: 'pf.example.com',
        ssoBase: 'https://pf.example.com:9031',
        signing: [far.base64, expired.base64],
      }),
      { role: 'idp' },
    );
    expect(entity.entityId).toBe('pf.example.com');
    expect(entity.sp).toBeUndefined();
    expect(entity.idp?.singleSignOnServices).toEqual([
      { binding: BINDING_POST, location: 'https://pf.example.com:9031/idp/SSO.saml2' },
      { binding: BINDING_REDIRECT, location: 'https://pf.example.com:9031/idp/SSO.saml2' },
    ]);
    expect(entity.idp?.nameIdFormats).toEqual([NAMEID_UNSPECIFIED]);
    expect(entity.idp?.wantAuthnRequestsSigned).toBe(false);
    expect(entity.idp?.signingCertificates.map((certificate) => certificate.notAfter.getTime())).toEqual([
      far.notAfter.getTime(),
      expired.notAfter.getTime(),
    ]);
  });

  it('reads a PingOne IdP document (default namespaces, no prefixes)', () => {
    const environment = '2b7a3c4d-1111-4abc-8def-0123456789ab';
    const entity = readSamlMetadata(
      pingOneIdpMetadata({
        entityId: `https://auth.pingone.eu/${environment}`,
        ssoBase: `https://auth.pingone.eu/${environment}`,
        signing: [far.base64],
      }),
    );
    expect(entity.entityId).toBe(`https://auth.pingone.eu/${environment}`);
    expect(entity.idp?.singleSignOnServices.map((endpoint) => endpoint.location)).toEqual([
      `https://auth.pingone.eu/${environment}/saml20/idp/sso`,
      `https://auth.pingone.eu/${environment}/saml20/idp/sso`,
    ]);
    expect(entity.idp?.nameIdFormats).toEqual([NAMEID_EMAIL, NAMEID_UNSPECIFIED]);
    expect(entity.idp?.signingCertificates).toHaveLength(1);
  });

  it('counts a key without use as signing (and lists it among the certificates)', () => {
    const sp = readSamlMetadata(
      aqueraSpMetadata({
        entityId: 'urn:sp',
        acs: [{ binding: BINDING_POST, location: 'https://sp/acs', index: 0 }],
        signing: [],
        encryption: [encryption.base64],
        unspecifiedUse: [far.base64],
      }),
    ).sp!;
    expect(sp.signingCertificates.map((certificate) => certificate.subject)).toEqual([
      'CN=far.example.com, O=Test',
    ]);
    expect(sp.signingCertificates[0]?.use).toBeUndefined();
    expect(sp.certificates).toHaveLength(2);
  });

  it('decodes predefined entities and character references once, and keeps CDATA as written', () => {
    const entity = readSamlMetadata(
      `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="urn:caf&#xE9;:a&amp;b &#35;1 &amp;lt;">
        <SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
          <NameIDFormat><![CDATA[urn:x&amp;y]]></NameIDFormat>
          <AssertionConsumerService Binding="${BINDING_POST}" Location="https://sp/acs?a=1&amp;b=2" index="0"/>
        </SPSSODescriptor>
      </EntityDescriptor>`,
    );
    expect(entity.entityId).toBe('urn:café:a&b #1 &lt;');
    expect(entity.sp?.nameIdFormats).toEqual(['urn:x&amp;y']);
    expect(entity.sp?.assertionConsumerServices[0]?.location).toBe('https://sp/acs?a=1&b=2');
  });
});

describe('readSamlMetadata: an EntitiesDescriptor', () => {
  function federation(): string {
    return entitiesDescriptor(
      [
        aqueraDocument(),
        pingFederateIdpMetadata({
          entityId: 'pf.example.com',
          ssoBase: 'https://pf.example.com',
          signing: [far.base64],
        }),
      ],
      [
        aqueraSpMetadata({
          entityId: 'urn:other-app',
          acs: [{ binding: BINDING_POST, location: 'https://other/acs', index: 0 }],
          signing: [far.base64],
          nameIdFormats: [NAMEID_PERSISTENT],
        }),
      ],
    );
  }

  it('lists every entity, nested ones included', () => {
    expect(readSamlEntities(federation()).map((entity) => entity.entityId)).toEqual([
      AQUERA_ENTITY,
      'pf.example.com',
      'urn:other-app',
    ]);
  });

  it('picks an entity by entityID', () => {
    const entity = readSamlMetadata(federation(), { entityId: 'urn:other-app' });
    expect(entity.sp?.nameIdFormats).toEqual([NAMEID_PERSISTENT]);
  });

  it('picks the only entity with the role asked for', () => {
    expect(readSamlMetadata(federation(), { role: 'idp' }).entityId).toBe('pf.example.com');
  });

  it('refuses to guess between several entities, and names them', () => {
    const { code, message } = refusal(() => readSamlMetadata(federation(), { role: 'sp' }));
    expect(code).toBe('entityNotFound');
    expect(message).toContain('"urn:other-app"');
    expect(message).toContain('entityId option');
  });

  it('says when the entity asked for is not there, or lacks the role', () => {
    expect(refusal(() => readSamlMetadata(federation(), { entityId: 'urn:nobody' })).code).toBe(
      'entityNotFound',
    );
    expect(
      refusal(() => readSamlMetadata(federation(), { entityId: 'pf.example.com', role: 'sp' })).code,
    ).toBe('roleNotFound');
  });
});

describe('readSamlMetadata: documents refused with a clear error', () => {
  it('refuses an external entity before parsing (no file is read)', () => {
    const xxe = `<?xml version="1.0"?>
<!DOCTYPE md:EntityDescriptor [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="&secret;"/>`;
    const { code, message } = refusal(() => readSamlMetadata(xxe));
    expect(code).toBe('dtdForbidden');
    expect(message).toContain('<!DOCTYPE');
    expect(message).not.toContain('root:');
  });

  it('refuses a billion-laughs document', () => {
    const levels = Array.from(
      { length: 9 },
      (_, level) => `<!ENTITY lol${level + 1} "${`&lol${level};`.repeat(10)}">`,
    ).join('\n');
    const bomb = `<?xml version="1.0"?>
<!DOCTYPE lolz [
<!ENTITY lol0 "lol">
${levels}
]>
<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="&lol9;"/>`;
    expect(refusal(() => readSamlMetadata(bomb)).code).toBe('dtdForbidden');
  });

  it('refuses an entity declaration even without a DOCTYPE line', () => {
    expect(refusal(() => readSamlMetadata('<!ENTITY x "y"><EntityDescriptor entityID="a"/>')).code).toBe(
      'dtdForbidden',
    );
  });

  it('refuses a 20 MB document on its size, before parsing it', () => {
    const padding = `<md:Extensions>${'<x>padding</x>'.repeat(1_500_000)}</md:Extensions>`;
    const huge = `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="urn:big">${padding}</md:EntityDescriptor>`;
    expect(Buffer.byteLength(huge)).toBeGreaterThan(20_000_000);
    const { code, message } = refusal(() => readSamlMetadata(huge));
    expect(code).toBe('tooLarge');
    expect(message).toContain(String(Buffer.byteLength(huge)));
    expect(refusal(() => readSamlMetadata(Buffer.from(huge))).code).toBe('tooLarge');
  });

  it('takes a smaller or larger limit through maxBytes', () => {
    const document = aqueraDocument();
    expect(refusal(() => readSamlMetadata(document, { maxBytes: 100 })).code).toBe('tooLarge');
    const padded = document.replace(
      '<md:SPSSODescriptor',
      `<md:Extensions>${' '.repeat(1_100_000)}</md:Extensions><md:SPSSODescriptor`,
    );
    expect(refusal(() => readSamlMetadata(padded)).code).toBe('tooLarge');
    expect(readSamlMetadata(padded, { maxBytes: 4 * 1024 * 1024 }).entityId).toBe(AQUERA_ENTITY);
    expect(() => readSamlMetadata(document, { maxBytes: 0 })).toThrow(RangeError);
  });

  it('refuses a document whose root is not metadata', () => {
    const { code, message } = refusal(() => readSamlMetadata('<html><body>Sign in</body></html>'));
    expect(code).toBe('notMetadata');
    expect(message).toContain('<html>');
    expect(
      refusal(() => readSamlMetadata('<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>'))
        .code,
    ).toBe('notMetadata');
  });

  it('refuses malformed XML and an entity without entityID', () => {
    expect(
      refusal(() => readSamlMetadata('<EntityDescriptor entityID="a"><SPSSODescriptor></EntityDescriptor>'))
        .code,
    ).toBe('malformed');
    expect(refusal(() => readSamlMetadata('')).code).toBe('malformed');
    expect(
      refusal(() => readSamlMetadata('<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata"/>'))
        .code,
    ).toBe('notMetadata');
  });

  it('lists a certificate that cannot be read instead of failing the document', () => {
    const document = aqueraSpMetadata({
      entityId: 'urn:sp',
      acs: [{ binding: BINDING_POST, location: 'https://sp/acs', index: 0 }],
      signing: ['bm90IGEgY2VydGlmaWNhdGU=', far.base64, 'not base64 at all!'],
    });
    const sp = readSamlMetadata(document).sp!;
    expect(sp.signingCertificates).toHaveLength(1);
    expect(sp.unreadableCertificates.map((entry) => entry.use)).toEqual(['signing', 'signing']);
    expect(sp.unreadableCertificates[0]?.reason).toMatch(/not a certificate/);
    expect(sp.unreadableCertificates[1]?.reason).toMatch(/base64/);
  });

  it('throws errors of the SSO family, named for type guards', () => {
    try {
      readSamlMetadata('<!DOCTYPE x><x/>');
      expect.unreachable();
    } catch (error) {
      expect(isSsoError(error)).toBe(true);
      expect((error as Error).name).toBe('SamlMetadataError');
    }
  });
});
