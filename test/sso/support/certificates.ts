/**
 * Self-signed certificates generated with `openssl` at test time, with the validity period a test
 * asks for (past, near or far). `openssl ca -selfsign` is used because it takes explicit start and
 * end dates (OpenSSL 3.0's `req -x509` only takes a number of days from now).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A generated certificate. */
export interface TestCertificate {
  /** The DER bytes in base64 on one line: what an `X509Certificate` element holds. */
  readonly base64: string;
  readonly pem: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly commonName: string;
}

const CA_CONFIG = `[ ca ]
default_ca = CA_default
[ CA_default ]
dir = .
database = ./index.txt
new_certs_dir = .
serial = ./serial
default_md = sha256
policy = policy_any
unique_subject = no
[ policy_any ]
commonName = supplied
organizationName = optional
`;

/** `20300101120000Z`, whole seconds, UTC. */
function opensslDate(date: Date): string {
  return `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

/** A self-signed P-256 certificate for `commonName`, valid from `notBefore` to `notAfter`. */
export async function makeCertificate(
  commonName: string,
  notBefore: Date,
  notAfter: Date,
): Promise<TestCertificate> {
  const dir = await mkdtemp(path.join(tmpdir(), 'aquera-sso-cert-'));
  try {
    await writeFile(path.join(dir, 'ca.cnf'), CA_CONFIG);
    await writeFile(path.join(dir, 'index.txt'), '');
    await writeFile(path.join(dir, 'serial'), '01\n');
    const options = { cwd: dir };
    await run(
      'openssl',
      [
        'req',
        '-new',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        'key.pem',
        '-out',
        'request.csr',
        '-subj',
        `/CN=${commonName}/O=Test`,
      ],
      options,
    );
    await run(
      'openssl',
      [
        'ca',
        '-selfsign',
        '-batch',
        '-notext',
        '-config',
        'ca.cnf',
        '-keyfile',
        'key.pem',
        '-in',
        'request.csr',
        '-out',
        'cert.pem',
        '-startdate',
        opensslDate(notBefore),
        '-enddate',
        opensslDate(notAfter),
      ],
      options,
    );
    const pem = await readFile(path.join(dir, 'cert.pem'), 'utf8');
    const base64 = pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
    return {
      base64,
      pem,
      notBefore: new Date(Math.floor(notBefore.getTime() / 1000) * 1000),
      notAfter: new Date(Math.floor(notAfter.getTime() / 1000) * 1000),
      commonName,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `now` moved by `days` (negative for the past). */
export function daysFrom(now: Date, days: number): Date {
  return new Date(now.getTime() + days * 86_400_000);
}
