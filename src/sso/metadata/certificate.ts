/**
 * `<ds:X509Certificate>` content -> PEM -> the facts a check needs, with node:crypto.
 *
 * @module
 */
import { X509Certificate } from 'node:crypto';
import { SamlMetadataError } from '../errors/SamlMetadataError';
import type { SamlCertificate } from './types';

/**
 * Reads the base64 text of an `X509Certificate` element (white space and line breaks allowed).
 *
 * @throws SamlMetadataError `invalidCertificate` when the text is not base64 or not a certificate.
 * @example
 * ```ts
 * const certificate = readX509Certificate(base64Text, 'signing');
 * console.log(certificate.subject, certificate.notAfter.toISOString());
 * ```
 */
export function readX509Certificate(base64: string, use?: 'signing' | 'encryption'): SamlCertificate {
  const compact = base64.replace(/\s+/g, '');
  if (compact === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 !== 0) {
    throw new SamlMetadataError('invalidCertificate', 'an X509Certificate element does not hold base64 text');
  }
  const pem = `-----BEGIN CERTIFICATE-----\n${compact.replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SamlMetadataError(
      'invalidCertificate',
      `an X509Certificate element is not a certificate (${reason})`,
      {
        cause: error,
      },
    );
  }
  const notBefore = new Date(certificate.validFrom);
  const notAfter = new Date(certificate.validTo);
  if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime())) {
    throw new SamlMetadataError('invalidCertificate', 'a certificate has an unreadable validity period');
  }
  return {
    ...(use === undefined ? {} : { use }),
    pem,
    subject: distinguishedName(certificate.subject),
    issuer: distinguishedName(certificate.issuer),
    notBefore,
    notAfter,
    fingerprintSha256: certificate.fingerprint256,
  };
}

/** node:crypto writes one RDN per line; a single line reads better in reports. */
function distinguishedName(text: string): string {
  return text
    .split('\n')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .join(', ');
}
