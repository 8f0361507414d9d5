/**
 * A throwaway Samba Active Directory domain controller for tests (Debian's samba 4.17).
 *
 * - Realm `EXAMPLE.TEST`, NetBIOS domain `EXAMPLE`, host `DC1`, base DN `DC=example,DC=test`,
 *   RFC 2307 attributes on, no DNS server, provisioned into a private scratch folder (nothing in
 *   `/etc/samba` is read or written).
 * - Listens on the loopback interface only, on the FIXED ports 389 (LDAP, StartTLS) and 636 (LDAPS)
 *   (and 3268/3269, the global catalog): that needs root, and only one such DC can run on the machine
 *   at a time. A lock file in the OS temp folder serialises DCs across test files and processes;
 *   {@link startSambaDc} waits (bounded) for it.
 * - Only the `ldap` server service runs (no kdc, cldap, rpc): everything the tests need goes through
 *   LDAP, and `samba-tool` edits the local database directly. Start-up is then about half a second.
 * - Simple binds need TLS (Samba's default `ldap server require strong auth = yes`): use `ldapsUrl`,
 *   or `ldapUrl` with StartTLS. Samba generates its own self-signed CA and certificate at first start,
 *   naming `DC1.example.test` (CN only, no subjectAltName, so neither `127.0.0.1` nor `localhost`
 *   match): verify with `caPem` and `servername`, never by turning verification off.
 * - Provisioning (`samba-tool domain provision`, about 8 s, plus 3 s for the RSA key of the first
 *   start) happens once per test process (so once per test file under vitest's forks pool) into a
 *   template folder; every {@link startSambaDc} then copies the template, so a test file can start a
 *   fresh DC for each group of tests at the cost of a copy and a start.
 *
 * @example
 * ```ts
 * describe.skipIf(!sambaAvailable())('against Samba AD', () => {
 *   let samba: SambaHandle;
 *   beforeAll(async () => {
 *     samba = await startSambaDc();
 *     await samba.createUser('alice', { givenName: 'Alice', surname: 'Anders', mail: 'alice@example.test' });
 *   });
 *   afterAll(() => samba?.stop());
 * });
 * ```
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import { constants } from 'node:fs';
import { access, cp, mkdir, open, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseLdif, type SearchedEntry } from './ldif-reader';
import {
  commandExists,
  type ManagedProcess,
  makeScratchFolder,
  portIsClosed,
  registerCleanup,
  runCommand,
  runOnce,
  sleep,
  startProcess,
  waitUntil,
} from './processes';
import { openTlsTunnel, type TlsTunnel } from './tls-tunnel';

export type { SearchedEntry } from './ldif-reader';

/** The realm every test DC is provisioned with. */
export const SAMBA_REALM = 'EXAMPLE.TEST';
/** The NetBIOS domain name. */
export const SAMBA_DOMAIN = 'EXAMPLE';
/** The domain's base DN. */
export const SAMBA_BASE_DN = 'DC=example,DC=test';

const LDAP_PORT = 389;
const LDAPS_PORT = 636;
const LOCK_FILE = path.join(os.tmpdir(), 'aquera-provisioner-samba-dc.lock');

/**
 * True when a Samba DC can be started here: running as root (fixed ports 389/636) and `samba` and
 * `samba-tool` on `PATH`. Use it to skip Samba suites elsewhere.
 */
export function sambaAvailable(): boolean {
  return process.getuid?.() === 0 && commandExists('samba-tool') && commandExists('samba');
}

/** Options for {@link startSambaDc}. */
export interface SambaOptions {
  /**
   * How long to wait for another test's DC to release the machine-wide lock (and ports 389/636).
   * Keep provisioning (10-25 s) plus this below the hook timeout of the `beforeAll` that starts it.
   * @default 90000
   * @unit milliseconds
   */
  lockTimeoutMs?: number;
  /**
   * How long to wait for LDAPS to answer after starting samba.
   * @default 60000
   * @unit milliseconds
   */
  startTimeoutMs?: number;
}

/** Options for {@link SambaHandle.createUser}. */
export interface SambaUserOptions {
  givenName?: string;
  surname?: string;
  mail?: string;
  /** The OU to create the user in, relative to the base DN (`'OU=Sales'`); default `CN=Users`. */
  ou?: string;
  /** The user's password; default a random one (samba-tool `--random-password`). */
  password?: string;
}

/** Options for {@link SambaHandle.createGroup}. */
export interface SambaGroupOptions {
  /** The OU to create the group in, relative to the base DN (`'OU=Groups'`); default `CN=Users`. */
  ou?: string;
  description?: string;
}

/** How long the DC took to come up, for reports. */
export interface SambaTimings {
  /** Time spent provisioning the template for this call (0 when an earlier call did it). */
  provisionMs: number;
  /** From spawning `samba` until LDAPS answered a bind (includes TLS key generation on a first start). */
  startMs: number;
}

/** A running Samba AD DC. */
export interface SambaHandle {
  /** `ldap://127.0.0.1:389`: anonymous rootDSE reads, or StartTLS (with `caPem` and `servername`). */
  ldapUrl: string;
  /** `ldaps://127.0.0.1:636`: connect with `ca: caPem` and `servername`. */
  ldapsUrl: string;
  /** Samba's self-signed CA (PEM, from `private/tls/ca.pem`). */
  caPem: string;
  /** Path of that CA file. */
  caCertPath: string;
  /** The name in the server certificate (`DC1.example.test`): pass it as the TLS servername. */
  servername: string;
  /** `EXAMPLE.TEST`. */
  realm: string;
  /** `EXAMPLE`. */
  domain: string;
  /** `DC=example,DC=test`. */
  baseDn: string;
  /** `Administrator@example.test` (a UPN: AD accepts it as a simple-bind name). */
  bindDn: string;
  /** The administrator's password (random per process). */
  password: string;
  /** The scratch folder (`etc/smb.conf`, `private/`, logs); removed by `stop()`. */
  dir: string;
  /** How long provisioning and start-up took. */
  timings: SambaTimings;
  /** Runs `samba-tool <args> -s <smb.conf>` and resolves with its standard output. */
  tool(...args: string[]): Promise<string>;
  /** Applies LDIF change records with `ldapmodify` over LDAPS as the administrator (CA verified). */
  ldapmodify(ldif: string): Promise<void>;
  /** Searches (subtree) over LDAPS as the administrator with `ldapsearch`, for assertions. */
  search(base: string, filter: string, attributes?: readonly string[]): Promise<SearchedEntry[]>;
  /** `samba-tool user create`. */
  createUser(name: string, options?: SambaUserOptions): Promise<void>;
  /** `samba-tool group add`. */
  createGroup(name: string, options?: SambaGroupOptions): Promise<void>;
  /** `samba-tool ou add` (`ou` relative to the base DN, e.g. `'OU=Sales'`). */
  createOu(ou: string): Promise<void>;
  /** `samba-tool group addmembers` (members by sAMAccountName: users or groups). */
  addMembers(group: string, members: readonly string[]): Promise<void>;
  /** `samba-tool group removemembers`. */
  removeMembers(group: string, members: readonly string[]): Promise<void>;
  /** `samba-tool user disable` (sets userAccountControl bit 0x2). */
  disableUser(name: string): Promise<void>;
  /** `samba-tool user enable`. */
  enableUser(name: string): Promise<void>;
  /** `samba-tool user delete` (the object becomes a tombstone under `CN=Deleted Objects`). */
  deleteUser(name: string): Promise<void>;
  /** `samba-tool group delete`. */
  deleteGroup(name: string): Promise<void>;
  /** `samba-tool user move` to another OU or container (relative to the base DN or full DN). */
  moveUser(name: string, toOu: string): Promise<void>;
  /** Stops samba (the whole process group), closes the tunnel, removes `dir`, releases the lock. */
  stop(): Promise<void>;
}

interface SambaTemplate {
  dir: string;
  password: string;
  provisionMs: number;
  /** Whether `private/tls` in the template already holds a generated key and certificates. */
  hasTls: boolean;
}

let templatePromise: Promise<SambaTemplate> | undefined;
let templateUsed = false;

function randomAdminPassword(): string {
  // Samba's default policy wants 3 of 4 character classes and at least 7 characters.
  const random = randomBytes(12).toString('hex');
  return `Aa1!${random}`;
}

async function provisionTemplate(): Promise<SambaTemplate> {
  const dir = await makeScratchFolder('samba-template');
  registerCleanup({ folder: dir });
  const password = randomAdminPassword();
  const started = performance.now();
  await runCommand(
    'samba-tool',
    [
      'domain',
      'provision',
      `--realm=${SAMBA_REALM}`,
      `--domain=${SAMBA_DOMAIN}`,
      '--server-role=dc',
      '--dns-backend=NONE',
      `--adminpass=${password}`,
      `--targetdir=${dir}`,
      '--host-name=dc1',
      '--use-rfc2307',
      '--option=interfaces=lo',
      '--option=bind interfaces only=yes',
      '--option=server services=ldap',
      `--option=log file=${dir}/log.%m`,
      `--option=pid directory=${dir}/run`,
      `--option=ncalrpc dir=${dir}/run/ncalrpc`,
      `--option=winbindd socket directory=${dir}/run/winbindd`,
    ],
    { timeoutMs: 300_000, secrets: [password] },
  );
  await mkdir(path.join(dir, 'cache'), { recursive: true });
  await mkdir(path.join(dir, 'run'), { recursive: true });
  return { dir, password, provisionMs: performance.now() - started, hasTls: false };
}

/** Copies the template to a fresh folder, pointing its smb.conf at the copy. */
async function instantiate(template: SambaTemplate): Promise<string> {
  const dir = await makeScratchFolder('samba');
  await cp(template.dir, dir, { recursive: true });
  const configFile = path.join(dir, 'etc', 'smb.conf');
  const config = await readFile(configFile, 'utf8');
  await writeFile(configFile, config.split(template.dir).join(dir));
  return dir;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the machine-wide Samba lock (a file holding our pid), removing a dead holder's lock. */
async function acquireLock(timeoutMs: number): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      const file = await open(LOCK_FILE, 'wx');
      await file.writeFile(String(process.pid));
      await file.close();
      const forget = registerCleanup({ folder: LOCK_FILE });
      return async () => {
        forget();
        await unlink(LOCK_FILE).catch(() => {});
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number.parseInt(await readFile(LOCK_FILE, 'utf8').catch(() => ''), 10);
    if (holder === process.pid) {
      throw new Error(
        'startSambaDc: this process already runs a Samba DC; stop() it before starting another',
      );
    }
    if (Number.isInteger(holder) && holder > 0 && !processAlive(holder)) {
      await unlink(LOCK_FILE).catch(() => {});
      continue;
    }
    if (Date.now() > deadline || attempt > 10_000) {
      throw new Error(
        `startSambaDc: another Samba DC (pid ${holder}) holds ${LOCK_FILE}; waited ${timeoutMs} ms. ` +
          'Only one DC can listen on ports 389/636 at a time.',
      );
    }
    await sleep(250);
  }
}

async function waitForFreePorts(timeoutMs: number): Promise<void> {
  const attempts = Math.max(1, Math.ceil(timeoutMs / 250));
  await waitUntil(async () => (await portIsClosed(LDAP_PORT)) && (await portIsClosed(LDAPS_PORT)), {
    what: `ports ${LDAP_PORT}/${LDAPS_PORT} on 127.0.0.1 are in use by something else`,
    attempts,
    intervalMs: 250,
  });
}

function commonName(certificatePem: string): string {
  const subject = new X509Certificate(certificatePem).subject;
  const line = subject.split('\n').find((part) => part.startsWith('CN='));
  if (line === undefined) throw new Error(`Samba certificate has no CN: ${subject}`);
  return line.slice(3);
}

async function fileExists(file: string): Promise<boolean> {
  try {
    await access(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts a Samba AD DC (see the module documentation). Provisions the template on the first call
 * in this process, waits for the machine-wide lock and for LDAPS to accept an administrator bind.
 *
 * @example
 * ```ts
 * const samba = await startSambaDc();
 * await samba.createGroup('engineering');
 * await samba.createUser('bob', { givenName: 'Bob', surname: 'Brown' });
 * await samba.addMembers('engineering', ['bob']);
 * await samba.stop();
 * ```
 */
export async function startSambaDc(options: SambaOptions = {}): Promise<SambaHandle> {
  if (!sambaAvailable()) throw new Error('startSambaDc: needs root and samba/samba-tool on PATH');
  const lockTimeoutMs = options.lockTimeoutMs ?? 90_000;
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  const reusedTemplate = templateUsed;
  templatePromise ??= provisionTemplate();
  templateUsed = true;
  let template: SambaTemplate;
  try {
    template = await templatePromise;
  } catch (error) {
    templatePromise = undefined;
    templateUsed = false;
    throw error;
  }
  const releaseLock = await acquireLock(lockTimeoutMs);
  let dir: string | undefined;
  let forgetDir: (() => void) | undefined;
  let samba: ManagedProcess | undefined;
  let tunnel: TlsTunnel | undefined;
  const teardown = async (): Promise<void> => {
    await tunnel?.close();
    await samba?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    forgetDir?.();
    await releaseLock();
  };
  try {
    await waitForFreePorts(lockTimeoutMs);
    dir = await instantiate(template);
    const cleanup: { folder: string; pid?: number; processGroup: boolean } = {
      folder: dir,
      processGroup: true,
    };
    forgetDir = registerCleanup(cleanup);
    const configFile = path.join(dir, 'etc', 'smb.conf');
    const tlsDir = path.join(dir, 'private', 'tls');
    const caCertPath = path.join(tlsDir, 'ca.pem');
    const certPath = path.join(tlsDir, 'cert.pem');
    const passwordFile = path.join(dir, 'admin.password');
    await writeFile(passwordFile, template.password, { mode: 0o600 });

    const startedAt = performance.now();
    const server = startProcess('samba', ['-i', '-M', 'single', '-s', configFile], { processGroup: true });
    samba = server;
    if (server.child.pid !== undefined) cleanup.pid = server.child.pid;
    const abortIf = (): void => {
      if (server.exitStatus() !== undefined) {
        throw new Error(
          `samba exited during start-up (${server.exitStatus()}): ${server.output().slice(-2000)}`,
        );
      }
    };
    const intervalMs = 100;
    const attempts = Math.ceil(startTimeoutMs / intervalMs);
    await waitUntil(async () => (await fileExists(caCertPath)) && (await fileExists(certPath)), {
      what: 'samba TLS certificate',
      attempts,
      intervalMs,
      abortIf,
    });
    const caPem = await readFile(caCertPath, 'utf8');
    const servername = commonName(await readFile(certPath, 'utf8'));
    const openTunnel = await openTlsTunnel({ host: '127.0.0.1', port: LDAPS_PORT, ca: caPem, servername });
    tunnel = openTunnel;
    const bindDn = `Administrator@${SAMBA_REALM.toLowerCase()}`;
    const tools = ['-x', '-H', openTunnel.url, '-D', bindDn, '-y', passwordFile];
    const secrets = [template.password];
    await waitUntil(
      async () => {
        await runCommand('ldapsearch', [...tools, '-b', '', '-s', 'base', '1.1'], {
          timeoutMs: 5000,
          secrets,
        });
        return true;
      },
      { what: 'samba LDAPS bind', attempts, intervalMs, abortIf },
    );
    const startMs = performance.now() - startedAt;
    if (!template.hasTls) {
      // Later DCs from this template skip the RSA key generation (about 3 s).
      await cp(tlsDir, path.join(template.dir, 'private', 'tls'), { recursive: true });
      template.hasTls = true;
    }

    const tool = async (...args: string[]): Promise<string> =>
      (await runCommand('samba-tool', [...args, '-s', configFile], { timeoutMs: 120_000, secrets })).stdout;
    const handle: SambaHandle = {
      ldapUrl: `ldap://127.0.0.1:${LDAP_PORT}`,
      ldapsUrl: `ldaps://127.0.0.1:${LDAPS_PORT}`,
      caPem,
      caCertPath,
      servername,
      realm: SAMBA_REALM,
      domain: SAMBA_DOMAIN,
      baseDn: SAMBA_BASE_DN,
      bindDn,
      password: template.password,
      dir,
      timings: { provisionMs: reusedTemplate ? 0 : template.provisionMs, startMs },
      tool,
      async ldapmodify(ldif) {
        await runCommand('ldapmodify', tools, { input: ldif, secrets });
      },
      async search(base, filter, attributes = []) {
        const { stdout } = await runCommand(
          'ldapsearch',
          [...tools, '-LLL', '-o', 'ldif-wrap=no', '-s', 'sub', '-b', base, filter, ...attributes],
          { secrets },
        );
        return parseLdif(stdout);
      },
      async createUser(name, userOptions = {}) {
        const args = ['user', 'create', name];
        if (userOptions.password !== undefined) args.push(userOptions.password);
        else args.push('--random-password');
        if (userOptions.givenName !== undefined) args.push(`--given-name=${userOptions.givenName}`);
        if (userOptions.surname !== undefined) args.push(`--surname=${userOptions.surname}`);
        if (userOptions.mail !== undefined) args.push(`--mail-address=${userOptions.mail}`);
        if (userOptions.ou !== undefined) args.push(`--userou=${userOptions.ou}`);
        const userSecrets = userOptions.password === undefined ? secrets : [...secrets, userOptions.password];
        await runCommand('samba-tool', [...args, '-s', configFile], {
          timeoutMs: 120_000,
          secrets: userSecrets,
        });
      },
      async createGroup(name, groupOptions = {}) {
        const args = ['group', 'add', name];
        if (groupOptions.ou !== undefined) args.push(`--groupou=${groupOptions.ou}`);
        if (groupOptions.description !== undefined) args.push(`--description=${groupOptions.description}`);
        await tool(...args);
      },
      async createOu(ou) {
        await tool('ou', 'add', ou);
      },
      async addMembers(group, members) {
        await tool('group', 'addmembers', group, members.join(','));
      },
      async removeMembers(group, members) {
        await tool('group', 'removemembers', group, members.join(','));
      },
      async disableUser(name) {
        await tool('user', 'disable', name);
      },
      async enableUser(name) {
        await tool('user', 'enable', name);
      },
      async deleteUser(name) {
        await tool('user', 'delete', name);
      },
      async deleteGroup(name) {
        await tool('group', 'delete', name);
      },
      async moveUser(name, toOu) {
        await tool('user', 'move', name, toOu);
      },
      stop: runOnce(teardown),
    };
    return handle;
  } catch (error) {
    await teardown();
    throw error;
  }
}
