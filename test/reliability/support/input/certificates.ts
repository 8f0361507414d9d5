/**
 * Certificates for the TLS cases, generated with `openssl` at test time into a private folder
 * (nothing is committed): a throwaway CA, a server certificate it signs for 127.0.0.1, one it signs
 * for another host name only, and a self-signed certificate for 127.0.0.1. EC P-256, two days.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCommand } from '../../../support/ldap/processes';

/** A key and certificate pair, PEM. */
export interface KeyPair {
  readonly key: string;
  readonly cert: string;
  /** Path of the certificate file. */
  readonly certPath: string;
}

/** What {@link createCertificates} writes. */
export interface TlsFixtures {
  /** The CA certificate (PEM) and its file. */
  readonly ca: { readonly cert: string; readonly certPath: string };
  /** Signed by the CA, naming 127.0.0.1 and localhost. */
  readonly signed: KeyPair;
  /** Signed by the CA, naming only `other.example` (a host name mismatch for 127.0.0.1). */
  readonly wrongName: KeyPair;
  /** Self-signed, naming 127.0.0.1. */
  readonly selfSigned: KeyPair;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** Generates the fixtures into `folder` (which should be private and removed afterwards). */
export async function createCertificates(folder: string): Promise<TlsFixtures> {
  const file = (name: string) => path.join(folder, name);
  await runCommand('openssl', [
    'req',
    '-x509',
    ...EC,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/O=aquera-provisioner tests/CN=Throwaway Reliability CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const signed = async (name: string, altNames: string): Promise<KeyPair> => {
    await runCommand('openssl', [
      'req',
      '-new',
      ...EC,
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.csr`),
      '-subj',
      `/CN=${name}`,
    ]);
    await writeFile(
      file(`${name}.ext`),
      `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${altNames}\n`,
    );
    await runCommand('openssl', [
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file('ca.pem'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-out',
      file(`${name}.pem`),
      '-days',
      '2',
      '-extfile',
      file(`${name}.ext`),
    ]);
    return pair(name);
  };
  const pair = async (name: string): Promise<KeyPair> => ({
    key: await readFile(file(`${name}.key`), 'utf8'),
    cert: await readFile(file(`${name}.pem`), 'utf8'),
    certPath: file(`${name}.pem`),
  });
  const signedPair = await signed('signed', 'IP:127.0.0.1,DNS:localhost');
  const wrongName = await signed('wrong-name', 'DNS:other.example');
  await runCommand('openssl', [
    'req',
    '-x509',
    ...EC,
    '-keyout',
    file('self-signed.key'),
    '-out',
    file('self-signed.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  ]);
  return {
    ca: { cert: await readFile(file('ca.pem'), 'utf8'), certPath: file('ca.pem') },
    signed: signedPair,
    wrongName,
    selfSigned: await pair('self-signed'),
  };
}
