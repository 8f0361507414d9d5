/**
 * A throwaway OpenLDAP server for tests: Debian's `/usr/sbin/slapd` with its own `slapd.conf` in a
 * private scratch folder, an mdb database, the memberof, ppolicy and syncprov overlays, listening on
 * 127.0.0.1 on a free port (plus LDAPS on a second port when `tls` is on). Removed by `stop()`.
 *
 * Directory layout (suffix `dc=example,dc=com` by default):
 * - `cn=admin,<suffix>`: the rootdn (no limits, no ACLs), random password per run;
 * - `cn=reader,<suffix>`: read access to everything but passwords, with AD-like limits: at most
 *   500 entries without paging (sizeLimitExceeded after that), pages of at most 1000 entries, any
 *   number of pages (`limits ... size.soft=500 size.hard=500 size.pr=1000 size.prtotal=unlimited`);
 * - `ou=policies,<suffix>` with the ppolicy default policy `cn=default`;
 * - whatever `bulkLdif` and `seedLdif` add (see {@link companyLdifChunks} for a generated company).
 *
 * The schema is core + cosine + inetorgperson + nis, plus the ppolicy attributes and a small test
 * schema: the attribute `nsAccountLock` (389 Directory Server's account-inactivation flag, same OID)
 * allowed by the auxiliary object class `aqueraTestAccount`.
 *
 * memberof only maintains `memberOf` for `groupOfNames`/`member` and only for entries added or
 * changed while slapd runs: data loaded through `bulkLdif` (slapadd, offline) has no `memberOf`.
 *
 * @example
 * ```ts
 * let slapd: SlapdHandle;
 * beforeAll(async () => {
 *   slapd = await startSlapd({ tls: true, seedLdif: companyLdif({ users: 50 }) });
 * });
 * afterAll(() => slapd?.stop());
 * ```
 */

import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ldifEntry } from './ldif';
import { parseLdif, type SearchedEntry } from './ldif-reader';
import {
  type Cleanup,
  findFreePort,
  type ManagedProcess,
  makeScratchFolder,
  registerCleanup,
  runCommand,
  runOnce,
  startProcess,
  waitUntil,
} from './processes';
import { createTestCertificates } from './test-certificates';

export type { SearchedEntry } from './ldif-reader';

/** LDIF given as one string or as chunks streamed one after the other. */
export type LdifInput = string | Iterable<string>;

/** Options for {@link startSlapd}. */
export interface SlapdOptions {
  /**
   * Generate a CA and a server certificate (SAN `localhost`, `127.0.0.1`) with openssl, offer
   * StartTLS on `url` and listen for LDAPS on `ldapsUrl`.
   * @default false
   */
  tls?: boolean;
  /**
   * LDIF added with `ldapadd` (as the admin) after slapd started, so the overlays run: memberOf is
   * filled in, ppolicy sees the entries. Slower than `bulkLdif` (about 1-2 ms per entry).
   */
  seedLdif?: LdifInput;
  /**
   * LDIF loaded offline with `slapadd -q` before slapd starts: fast (20,000 users in seconds) but
   * the overlays do not run (no `memberOf`). Loaded after the base entries, before `seedLdif`.
   */
  bulkLdif?: LdifInput;
  /**
   * The database suffix; its first RDN must be `dc=`, `o=` or `ou=`.
   * @default 'dc=example,dc=com'
   */
  suffix?: string;
  /**
   * Entries the reader gets without the paged results control (slapd's `size.soft`/`size.hard`).
   * @default 500
   */
  readerSizeLimit?: number;
  /**
   * Largest page the reader may ask for with the paged results control (slapd's `size.pr`).
   * @default 1000
   */
  readerPageSizeLimit?: number;
}

/** A running throwaway slapd. All passwords are random per run. */
export interface SlapdHandle {
  /** `ldap://127.0.0.1:<port>` (StartTLS available when `tls` is on). */
  url: string;
  /** `ldaps://127.0.0.1:<port>`, only when `tls` is on. */
  ldapsUrl?: string;
  /** The CA that signed the server certificate (PEM), only when `tls` is on. */
  caPem?: string;
  /** Path of that CA file (for `LDAPTLS_CACERT`), only when `tls` is on. */
  caCertPath?: string;
  /** The database suffix, e.g. `dc=example,dc=com`. */
  suffix: string;
  /** The rootdn, `cn=admin,<suffix>`: no ACLs, no limits. */
  adminDn: string;
  adminPassword: string;
  /** `cn=reader,<suffix>`: read-only, size-limited (see the module documentation). */
  readerDn: string;
  readerPassword: string;
  /** The private scratch folder (config, database, certificates); removed by `stop()`. */
  dir: string;
  /** Adds entries (LDIF content records) with `ldapadd` as the admin. */
  add(ldif: LdifInput): Promise<void>;
  /** Applies LDIF change records (`changetype: modify | modrdn | delete | add`) with `ldapmodify`. */
  modify(ldif: string): Promise<void>;
  /** Deletes one entry (by DN) with `ldapdelete`. */
  delete(dn: string): Promise<void>;
  /**
   * Searches (subtree) as the admin with `ldapsearch`, for assertions. `attributes` defaults to all
   * user attributes; ask for `+` or by name for operational ones (`memberOf`, `entryUUID`, ...).
   */
  search(base: string, filter: string, attributes?: readonly string[]): Promise<SearchedEntry[]>;
  /** Stops slapd (SIGTERM, bounded wait, SIGKILL) and removes `dir`. Safe to call twice. */
  stop(): Promise<void>;
}

/** Where Debian 12 installs slapd and its pieces. */
const SLAPD = '/usr/sbin/slapd';
const SLAPADD = '/usr/sbin/slapadd';
const MODULE_PATH = '/usr/lib/ldap';
const SCHEMA_PATH = '/etc/ldap/schema';
const START_ATTEMPTS = 5;

/** The test schema: 389-DS's nsAccountLock flag (same OID) and an auxiliary class allowing it. */
const TEST_SCHEMA = `attributetype ( 2.16.840.1.113730.3.1.610 NAME 'nsAccountLock'
  DESC 'Account inactivation flag, as in 389 Directory Server'
  EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )

objectclass ( 2.25.318913775150118171217875729249065626774 NAME 'aqueraTestAccount'
  DESC 'aquera-provisioner tests: an account with an inactivation flag'
  AUXILIARY MAY ( nsAccountLock ) )
`;

interface ResolvedSlapdOptions {
  tls: boolean;
  suffix: string;
  readerSizeLimit: number;
  readerPageSizeLimit: number;
}

function resolveSlapdOptions(options: SlapdOptions): ResolvedSlapdOptions {
  const resolved = {
    tls: options.tls ?? false,
    suffix: options.suffix ?? 'dc=example,dc=com',
    readerSizeLimit: options.readerSizeLimit ?? 500,
    readerPageSizeLimit: options.readerPageSizeLimit ?? 1000,
  };
  for (const field of ['readerSizeLimit', 'readerPageSizeLimit'] as const) {
    if (!Number.isInteger(resolved[field]) || resolved[field] < 1) {
      throw new TypeError(`startSlapd: options.${field} must be a positive integer`);
    }
  }
  if (!/^(dc|o|ou)=[^,]+/i.test(resolved.suffix)) {
    throw new TypeError("startSlapd: options.suffix must start with a 'dc=', 'o=' or 'ou=' RDN");
  }
  return resolved;
}

function slapdConfig(
  dir: string,
  options: ResolvedSlapdOptions,
  adminPassword: string,
  tls: { caCertPath: string; certPath: string; keyPath: string } | undefined,
): string {
  const { suffix } = options;
  const reader = `cn=reader,${suffix}`;
  const lines = [
    ...['core', 'cosine', 'inetorgperson', 'nis'].map((name) => `include ${SCHEMA_PATH}/${name}.schema`),
    `include ${path.join(dir, 'aquera-test.schema')}`,
    `modulepath ${MODULE_PATH}`,
    'moduleload back_mdb',
    'moduleload memberof',
    'moduleload ppolicy',
    'moduleload syncprov',
    `pidfile ${path.join(dir, 'slapd.pid')}`,
    `argsfile ${path.join(dir, 'slapd.args')}`,
    'sizelimit 500',
  ];
  if (tls !== undefined) {
    lines.push(
      `TLSCACertificateFile ${tls.caCertPath}`,
      `TLSCertificateFile ${tls.certPath}`,
      `TLSCertificateKeyFile ${tls.keyPath}`,
    );
  }
  lines.push(
    'database mdb',
    'maxsize 1073741824',
    'dbnosync',
    `suffix "${suffix}"`,
    `rootdn "cn=admin,${suffix}"`,
    `rootpw ${adminPassword}`,
    `directory ${path.join(dir, 'data')}`,
    'index objectClass eq',
    'index uid,cn,mail,member,uniqueMember,memberUid,memberOf eq',
    'index entryUUID,entryCSN eq',
    `limits dn.exact="${reader}" size.soft=${options.readerSizeLimit} size.hard=${options.readerSizeLimit}` +
      ` size.pr=${options.readerPageSizeLimit} size.prtotal=unlimited`,
    'overlay memberof',
    'memberof-group-oc groupOfNames',
    'memberof-member-ad member',
    'memberof-memberof-ad memberOf',
    'memberof-refint TRUE',
    'overlay ppolicy',
    `ppolicy_default "cn=default,ou=policies,${suffix}"`,
    'overlay syncprov',
    'syncprov-checkpoint 100 10',
    'syncprov-sessionlog 10000',
    'access to dn.base="" by * read',
    'access to dn.base="cn=Subschema" by * read',
    'access to attrs=userPassword by self =xw by anonymous auth by * none',
    `access to * by dn.exact="${reader}" read by self read by * none`,
    '',
  );
  return lines.join('\n');
}

function baseLdif(suffix: string, readerPassword: string): string {
  const [firstRdn = ''] = suffix.split(',');
  const equals = firstRdn.indexOf('=');
  const type = firstRdn.slice(0, equals).trim().toLowerCase();
  const value = firstRdn.slice(equals + 1).trim();
  const root: Array<readonly [string, string]> =
    type === 'dc'
      ? [
          ['objectClass', 'dcObject'],
          ['objectClass', 'organization'],
          ['dc', value],
          ['o', value],
        ]
      : type === 'o'
        ? [
            ['objectClass', 'organization'],
            ['o', value],
          ]
        : [
            ['objectClass', 'organizationalUnit'],
            ['ou', value],
          ];
  return [
    ldifEntry({ dn: suffix, attributes: root }),
    ldifEntry({
      dn: `cn=reader,${suffix}`,
      attributes: [
        ['objectClass', 'organizationalRole'],
        ['objectClass', 'simpleSecurityObject'],
        ['cn', 'reader'],
        ['userPassword', readerPassword],
        ['description', 'read-only account with AD-like size limits'],
      ],
    }),
    ldifEntry({
      dn: `ou=policies,${suffix}`,
      attributes: [
        ['objectClass', 'organizationalUnit'],
        ['ou', 'policies'],
      ],
    }),
    ldifEntry({
      dn: `cn=default,ou=policies,${suffix}`,
      attributes: [
        ['objectClass', 'organizationalRole'],
        ['objectClass', 'pwdPolicy'],
        ['cn', 'default'],
        ['pwdAttribute', 'userPassword'],
        ['pwdLockout', 'FALSE'],
      ],
    }),
  ].join('');
}

function* chunksOf(...inputs: Array<LdifInput | undefined>): Generator<string> {
  for (const input of inputs) {
    if (input === undefined) continue;
    if (typeof input === 'string') yield input.endsWith('\n') ? `${input}\n` : `${input}\n\n`;
    else yield* input;
  }
}

function randomPassword(): string {
  return randomBytes(18).toString('base64url');
}

/**
 * Starts a throwaway slapd (see the module documentation for the layout and the accounts).
 * Resolves once slapd answers a rootDSE search and `seedLdif` is loaded.
 *
 * @example
 * ```ts
 * const slapd = await startSlapd({ bulkLdif: companyLdifChunks({ users: 20_000 }) });
 * const [user] = await slapd.search(slapd.suffix, '(uid=user00042)', ['mail']);
 * await slapd.stop();
 * ```
 */
export async function startSlapd(options: SlapdOptions = {}): Promise<SlapdHandle> {
  const resolved = resolveSlapdOptions(options);
  const dir = await makeScratchFolder('slapd');
  const cleanup: Cleanup = { folder: dir };
  const forget = registerCleanup(cleanup);
  let server: ManagedProcess | undefined;
  try {
    const adminPassword = randomPassword();
    const readerPassword = randomPassword();
    const adminDn = `cn=admin,${resolved.suffix}`;
    const passwordFile = path.join(dir, 'admin.password');
    const configFile = path.join(dir, 'slapd.conf');
    await mkdir(path.join(dir, 'data'));
    await writeFile(passwordFile, adminPassword, { mode: 0o600 });
    await writeFile(path.join(dir, 'aquera-test.schema'), TEST_SCHEMA);
    const certificates = resolved.tls ? await createTestCertificates(await makeTlsFolder(dir)) : undefined;
    await writeFile(configFile, slapdConfig(dir, resolved, adminPassword, certificates), { mode: 0o600 });
    await runCommand(SLAPADD, ['-q', '-f', configFile], {
      input: chunksOf(baseLdif(resolved.suffix, readerPassword), options.bulkLdif),
      timeoutMs: 600_000,
      secrets: [adminPassword, readerPassword],
    });

    const started = await startListening(configFile, resolved.tls);
    server = started.server;
    if (server.child.pid !== undefined) cleanup.pid = server.child.pid;
    const url = started.url;
    const tools = ['-x', '-H', url, '-D', adminDn, '-y', passwordFile];
    const secrets = [adminPassword, readerPassword];

    const handle: SlapdHandle = {
      url,
      suffix: resolved.suffix,
      adminDn,
      adminPassword,
      readerDn: `cn=reader,${resolved.suffix}`,
      readerPassword,
      dir,
      async add(ldif) {
        await runCommand('ldapadd', tools, { input: chunksOf(ldif), timeoutMs: 600_000, secrets });
      },
      async modify(ldif) {
        await runCommand('ldapmodify', tools, { input: ldif, secrets });
      },
      async delete(dn) {
        await runCommand('ldapdelete', [...tools, dn], { secrets });
      },
      async search(base, filter, attributes = []) {
        const { stdout } = await runCommand(
          'ldapsearch',
          [...tools, '-LLL', '-o', 'ldif-wrap=no', '-s', 'sub', '-b', base, filter, ...attributes],
          { secrets },
        );
        return parseLdif(stdout);
      },
      stop: runOnce(async () => {
        await server?.stop();
        await rm(dir, { recursive: true, force: true });
        forget();
      }),
    };
    if (started.ldapsUrl !== undefined) handle.ldapsUrl = started.ldapsUrl;
    if (certificates !== undefined) {
      handle.caPem = certificates.caPem;
      handle.caCertPath = certificates.caCertPath;
    }
    if (options.seedLdif !== undefined) await handle.add(options.seedLdif);
    return handle;
  } catch (error) {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
    forget();
    throw error;
  }
}

async function makeTlsFolder(dir: string): Promise<string> {
  const folder = path.join(dir, 'tls');
  await mkdir(folder, { mode: 0o700 });
  return folder;
}

/** Starts slapd on free ports, retrying (bounded) when a port was taken in the meantime. */
async function startListening(
  configFile: string,
  tls: boolean,
): Promise<{ server: ManagedProcess; url: string; ldapsUrl?: string }> {
  let lastOutput = '';
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    const port = await findFreePort();
    const ldapsPort = tls ? await findFreePort() : undefined;
    if (ldapsPort === port) continue;
    const url = `ldap://127.0.0.1:${port}`;
    const ldapsUrl = ldapsPort === undefined ? undefined : `ldaps://127.0.0.1:${ldapsPort}`;
    const listeners = [`${url}/`, ...(ldapsUrl === undefined ? [] : [`${ldapsUrl}/`])].join(' ');
    // `-d 0` keeps slapd in the foreground (no daemon to chase) without debug output.
    const server = startProcess(SLAPD, ['-f', configFile, '-h', listeners, '-d', '0']);
    try {
      await waitUntil(
        async () => {
          await runCommand('ldapsearch', ['-x', '-H', url, '-b', '', '-s', 'base', '1.1'], {
            timeoutMs: 5000,
          });
          return true;
        },
        {
          what: `slapd on ${url}`,
          attempts: 150,
          intervalMs: 50,
          abortIf: () => {
            if (server.exitStatus() !== undefined) throw new SlapdExitedError(server.output());
          },
        },
      );
      return ldapsUrl === undefined ? { server, url } : { server, url, ldapsUrl };
    } catch (error) {
      await server.stop();
      lastOutput = server.output();
      const portTaken = /address already in use|bind\(.*\) failed/i.test(lastOutput);
      if (!portTaken) {
        throw new Error(
          `slapd did not start: ${error instanceof Error ? error.message : String(error)}\n${lastOutput}`,
        );
      }
    }
  }
  throw new Error(`slapd did not start after ${START_ATTEMPTS} attempts (ports taken)\n${lastOutput}`);
}

class SlapdExitedError extends Error {
  override name = 'SlapdExitedError';
  constructor(output: string) {
    super(`slapd exited during start-up: ${output.slice(-2000)}`);
  }
}
