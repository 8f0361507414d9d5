/**
 * A throwaway certificate authority and server certificate, generated with `openssl` at test time
 * (nothing is committed): EC P-256 keys, valid for two days, the server certificate naming
 * `localhost` and `127.0.0.1` in its subjectAltName.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCommand } from './processes';

/** Paths (and the CA in PEM) of the generated files. */
export interface TestCertificates {
  /** The CA certificate, PEM: what a client trusts. */
  caPem: string;
  /** Path of the CA certificate file. */
  caCertPath: string;
  /** Path of the server certificate (PEM), signed by the CA. */
  certPath: string;
  /** Path of the server private key (PEM, unencrypted, mode 0600). */
  keyPath: string;
}

/**
 * Writes `ca.pem`, `ca.key`, `server.pem` and `server.key` into `folder` (which should be private).
 *
 * @param folder - an existing folder; files in it with those names are overwritten.
 * @param hostNames - DNS names for the server certificate (`127.0.0.1` is always added as an IP
 *   name); defaults to `['localhost']`.
 */
export async function createTestCertificates(
  folder: string,
  hostNames: readonly string[] = ['localhost'],
): Promise<TestCertificates> {
  const caKey = path.join(folder, 'ca.key');
  const caCertPath = path.join(folder, 'ca.pem');
  const keyPath = path.join(folder, 'server.key');
  const csrPath = path.join(folder, 'server.csr');
  const certPath = path.join(folder, 'server.pem');
  const extensionsPath = path.join(folder, 'server.ext');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await runCommand('openssl', [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    caKey,
    '-out',
    caCertPath,
    '-days',
    '2',
    '-subj',
    '/O=aquera-provisioner tests/CN=Throwaway Test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await runCommand('openssl', [
    'req',
    '-new',
    ...ec,
    '-keyout',
    keyPath,
    '-out',
    csrPath,
    '-subj',
    '/CN=localhost',
  ]);
  const alternativeNames = [...hostNames.map((name) => `DNS:${name}`), 'IP:127.0.0.1'].join(',');
  await writeFile(
    extensionsPath,
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      `subjectAltName=${alternativeNames}`,
      '',
    ].join('\n'),
  );
  await runCommand('openssl', [
    'x509',
    '-req',
    '-in',
    csrPath,
    '-CA',
    caCertPath,
    '-CAkey',
    caKey,
    '-CAcreateserial',
    '-out',
    certPath,
    '-days',
    '2',
    '-extfile',
    extensionsPath,
  ]);
  return { caPem: await readFile(caCertPath, 'utf8'), caCertPath, certPath, keyPath };
}
