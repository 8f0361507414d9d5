/**
 * Sentinel credentials (a Bearer token, a Basic password, LDAP bind passwords) through a varied set
 * of runs: success, 401, 403 and error pages that echo the credentials back, TLS and network
 * failures, malformed answers, an LDAP bind refused, the CLI `sync` with `--log-file` and
 * `--json`. Every error (message, stack, cause chain), event payload, report, state file, log line
 * and CLI output is collected; no sentinel appears in any of them, in any encoding.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli';
import type { ScimAuth } from '../../src/client/options';
import { ScimClient } from '../../src/client/ScimClient';
import { LdapDatastore } from '../../src/datastore/ldap/LdapDatastore';
import { InMemoryDatastore } from '../../src/datastore/memory/InMemoryDatastore';
import type { DatastoreAdapter } from '../../src/datastore/types';
import type { ProvisioningEvents } from '../../src/engine/events';
import { ProvisioningEngine } from '../../src/engine/ProvisioningEngine';
import { FileStateStore } from '../../src/engine/state/FileStateStore';
import { captureIo, writeConfig } from '../cli/helpers';
import { person, USER_MAPPING } from '../engine/helpers';
import { companyLdif } from '../support/ldap/ldif';
import { type SlapdHandle, startSlapd } from '../support/ldap/slapd';
import { createCertificates, type TlsFixtures } from './support/input/certificates';
import { type HostileTarget, sendRaw, startHostileTarget } from './support/input/hostile-target';
import { SecretScan } from './support/input/secret-scan';

const sentinel = (name: string) => `Sntl-${name}-${randomBytes(10).toString('hex')}`;
const TOKEN = sentinel('token');
const BASIC_USER = 'svc-provisioner';
const BASIC_PASSWORD = sentinel('basic');
const LDAP_WRONG_PASSWORD = sentinel('ldap');
const BEARER: ScimAuth = { type: 'bearer', token: TOKEN };
const BASIC: ScimAuth = { type: 'basic', username: BASIC_USER, password: BASIC_PASSWORD };

const ENGINE_EVENTS: readonly (keyof ProvisioningEvents)[] = [
  'cycleStart',
  'cycleEnd',
  'cycleError',
  'progress',
  'userOperation',
  'groupOperation',
  'warning',
  'fallback',
  'removalsHeld',
];
const CLIENT_EVENTS = ['request', 'response', 'retry', 'fallback', 'warning'] as const;

let folder: string;
let slapd: SlapdHandle;
let certificates: TlsFixtures;
let scan: SecretScan;
const targets: HostileTarget[] = [];
const closers: (() => void | Promise<void>)[] = [];
let scenarios = 0;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'rel-secrets-'));
  [slapd, certificates] = await Promise.all([
    startSlapd({ seedLdif: companyLdif({ users: 6 }) }),
    createCertificates(folder),
  ]);
  scan = new SecretScan({
    token: TOKEN,
    basicPassword: BASIC_PASSWORD,
    ldapWrongPassword: LDAP_WRONG_PASSWORD,
    ldapPassword: slapd.readerPassword,
  });
  scan.basic('basic', BASIC_USER, BASIC_PASSWORD);
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await Promise.all(targets.map((target) => target.close()));
  await slapd?.stop();
  if (folder !== undefined) await rm(folder, { recursive: true, force: true });
});

/** A target requiring `auth` (the real credentials unless told otherwise), optionally over TLS. */
async function target(auth: ScimAuth | undefined, options: { tls?: boolean } = {}): Promise<HostileTarget> {
  const started = await startHostileTarget({
    ...(auth === undefined
      ? {}
      : {
          auth:
            auth.type === 'basic'
              ? { type: 'basic', username: auth.username, password: auth.password }
              : { type: 'bearer', token: 'token' in auth ? auth.token : 'unused' },
        }),
    ...(options.tls === true
      ? { tls: { key: certificates.selfSigned.key, cert: certificates.selfSigned.cert } }
      : {}),
  });
  targets.push(started);
  return started;
}

function client(baseUrl: string, auth: ScimAuth): ScimClient {
  const created = new ScimClient({ baseUrl, auth, retry: { limit: 1, baseDelay: 1, backoffLimit: 5 } });
  closers.push(() => created.close());
  for (const name of CLIENT_EVENTS) {
    created.on(name, (payload: unknown) => scan.add(`client event ${name}`, payload));
  }
  return created;
}

/** One engine cycle with a file state, everything it shows recorded; returns nothing, throws nothing. */
async function cycle(label: string, scimClient: ScimClient, datastore?: DatastoreAdapter): Promise<void> {
  scenarios += 1;
  const statePath = path.join(await mkdtemp(path.join(folder, 'state-')), 'state.json');
  const engine = new ProvisioningEngine({
    datastore: datastore ?? new InMemoryDatastore({ users: [person(1), person(2), person(3)] }),
    client: scimClient,
    state: new FileStateStore(statePath),
    mapping: { users: USER_MAPPING },
  });
  for (const name of ENGINE_EVENTS) {
    engine.on(name, (...payload: unknown[]) => scan.add(`${label}: engine event ${name}`, payload));
  }
  try {
    const report = await engine.sync();
    scan.add(`${label}: report`, report);
    for (const failure of report.failures) scan.add(`${label}: failure`, failure.error);
  } catch (error) {
    scan.add(`${label}: sync error`, error);
  }
  await engine.close().catch((error: unknown) => scan.add(`${label}: close error`, error));
  const state = await readFile(statePath, 'utf8').catch(() => '');
  scan.add(`${label}: state file`, state);
}

/** A client call; its error (if any) recorded. */
async function call(label: string, run: () => Promise<unknown>): Promise<void> {
  scenarios += 1;
  try {
    scan.add(`${label}: value`, await run());
  } catch (error) {
    scan.add(`${label}: error`, error);
  }
}

/** An answer that echoes the request's credentials back, as careless services do. */
function echo(status: number, html = false) {
  return (request: { headers: Record<string, string | string[] | undefined> }, response: ServerResponse) => {
    const header = String(request.headers.authorization ?? '');
    const credentials = header.replace(/^\S+\s+/, '');
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    const body = html
      ? `<html><head><title>Denied ${header} ${decoded}</title></head><body>${header}</body></html>`
      : JSON.stringify({
          schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
          status: String(status),
          detail: `credentials ${header} (${decoded}) ${credentials} are not allowed`,
          token: credentials,
        });
    sendRaw(response, status, body, html ? 'text/html' : 'application/scim+json');
    return true;
  };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('sentinel credentials never leak', () => {
  it('the scan finds each form of a sentinel it looks for (so that an empty result means something)', () => {
    const probe = new SecretScan({ token: 'probe-token-1234' });
    probe.basic('basic', 'user', 'probe-password');
    probe.add('cause chain', new Error('outer', { cause: new Error('inner probe-token-1234') }));
    probe.add('header', `Authorization: Basic ${Buffer.from('user:probe-password').toString('base64')}`);
    probe.add('url', `?t=${encodeURIComponent('probe-token-1234')}`);
    expect(probe.leaks().map((leak) => leak.source)).toEqual(
      expect.arrayContaining(['cause chain', 'cause chain (stack 1)', 'header', 'url']),
    );
  });

  it('through the client and the engine: success, 401, 403, echoes, TLS, network, malformed', async () => {
    for (const [name, auth] of [
      ['bearer', BEARER],
      ['basic', BASIC],
    ] as const) {
      // Success: a whole cycle, then reads.
      const good = await target(auth);
      await cycle(`${name} success`, client(good.baseUrl, auth));
      await call(`${name} list`, async () => {
        const users: unknown[] = [];
        for await (const user of client(good.baseUrl, auth).users.list()) users.push(user);
        return users;
      });
      await call(`${name} test connection`, () => client(good.baseUrl, auth).testConnection());

      // 401: the service expects other credentials.
      const other: ScimAuth =
        auth.type === 'basic'
          ? { type: 'basic', username: BASIC_USER, password: 'another-password' }
          : { type: 'bearer', token: 'another-token' };
      const refusing = await target(other);
      await cycle(`${name} 401`, client(refusing.baseUrl, auth));
      await call(`${name} 401 get`, () => client(refusing.baseUrl, auth).users.get('x'));
      await call(`${name} 401 test connection`, () => client(refusing.baseUrl, auth).testConnection());

      // 403 and other answers that echo the credentials back.
      for (const [label, answer] of [
        ['403 echo', echo(403)],
        ['401 echo', echo(401)],
        ['500 html echo', echo(500, true)],
        ['200 html echo', echo(200, true)],
        ['400 echo', echo(400)],
      ] as const) {
        const echoing = await target(auth);
        echoing.hijack((request, response) =>
          request.path.startsWith('/Users') || request.path.startsWith('/Groups')
            ? answer(request, response)
            : false,
        );
        await cycle(`${name} ${label}`, client(echoing.baseUrl, auth));
        await call(`${name} ${label} create`, () =>
          client(echoing.baseUrl, auth).users.create({ userName: 'x', password: BASIC_PASSWORD }),
        );
      }

      // Malformed answers, the credentials inside them.
      const malformed = await target(auth);
      malformed.hijack((request, response) => {
        if (!request.path.startsWith('/Users')) return false;
        sendRaw(response, 200, `{"id": "${String(request.headers.authorization)}", broken`);
        return true;
      });
      await cycle(`${name} malformed`, client(malformed.baseUrl, auth));

      // TLS failure and network failure.
      const tls = await target(auth, { tls: true });
      await cycle(`${name} tls`, client(tls.baseUrl, auth));
      await call(`${name} tls test connection`, () => client(tls.baseUrl, auth).testConnection());
      const down = `http://127.0.0.1:${await closedPort()}/scim/v2`;
      await cycle(`${name} network`, client(down, auth));
      await call(`${name} network get`, () => client(down, auth).users.get('x'));
    }

    // The credentials in a URL (userinfo) and in a query string.
    const good = await target(BEARER);
    const withUserinfo = good.baseUrl.replace('http://', `http://${BASIC_USER}:${BASIC_PASSWORD}@`);
    await call('userinfo in the base URL', async () => client(withUserinfo, BEARER).users.get('x'));
    await call('token in a query', async () =>
      client(`${good.baseUrl}?access_token=${TOKEN}`, BEARER).users.get('x'),
    );

    expect(scenarios).toBeGreaterThan(30);
    expect(scan.size).toBeGreaterThan(100);
    expect(scan.leaks()).toEqual([]);
  });

  it('through LdapDatastore: a refused bind with the sentinel password, and a good one', async () => {
    const refused = new LdapDatastore({
      urls: slapd.url,
      bindDn: slapd.readerDn,
      bindPassword: LDAP_WRONG_PASSWORD,
      users: { baseDn: `ou=people,${slapd.suffix}` },
    });
    closers.push(() => refused.close());
    await call('ldap refused connect', () => refused.connect());
    const good = await target(BEARER);
    await cycle('ldap refused cycle', client(good.baseUrl, BEARER), refused);

    const working = new LdapDatastore({
      urls: slapd.url,
      bindDn: slapd.readerDn,
      bindPassword: slapd.readerPassword,
      users: { baseDn: `ou=people,${slapd.suffix}` },
    });
    closers.push(() => working.close());
    await cycle('ldap good cycle', client(good.baseUrl, BEARER), working);
    expect(good.upstream.counts().users).toBeGreaterThan(0);
    expect(scan.leaks()).toEqual([]);
  });

  it('through the CLI sync with --log-file and --json: stdout, stderr, the log and the state file', async () => {
    const runs: [string, ScimAuth, string, readonly string[]][] = [
      ['success', BEARER, slapd.readerPassword, ['--json']],
      ['success text', BASIC, slapd.readerPassword, []],
      ['ldap refused', BEARER, LDAP_WRONG_PASSWORD, ['--json']],
      ['scim refused', BEARER, slapd.readerPassword, []],
    ];
    for (const [label, auth, ldapPassword, flags] of runs) {
      scenarios += 1;
      const good = await target(label === 'scim refused' ? { type: 'bearer', token: 'another' } : auth);
      const dir = await mkdtemp(path.join(folder, 'cli-'));
      await writeConfig(dir, 'provisioner.json', {
        target: {
          url: good.baseUrl,
          auth:
            auth.type === 'basic'
              ? { type: 'basic', username: BASIC_USER, password: { env: 'SCIM_PASSWORD' } }
              : { type: 'bearer', token: { env: 'SCIM_TOKEN' } },
        },
        source: {
          directory: 'ldapv3',
          urls: slapd.url,
          bindDn: slapd.readerDn,
          bindPassword: { env: 'LDAP_PASSWORD' },
          users: { baseDn: `ou=people,${slapd.suffix}` },
        },
        state: { file: path.join(dir, 'state.json') },
      });
      const io = captureIo({
        env: { SCIM_TOKEN: TOKEN, SCIM_PASSWORD: BASIC_PASSWORD, LDAP_PASSWORD: ldapPassword },
        cwd: dir,
      });
      const code = await runCli(
        ['sync', '--config', 'provisioner.json', '--log-file', 'ops.jsonl', ...flags],
        io,
      );
      if (label.startsWith('success')) expect(code, io.allText()).toBe(0);
      else expect(code, io.allText()).toBe(2);
      scan.add(`cli ${label}: stdout`, io.stdoutText());
      scan.add(`cli ${label}: stderr`, io.stderrText());
      scan.add(`cli ${label}: log`, await readFile(path.join(dir, 'ops.jsonl'), 'utf8').catch(() => ''));
      scan.add(`cli ${label}: state`, await readFile(path.join(dir, 'state.json'), 'utf8').catch(() => ''));
      scan.add(`cli ${label}: config`, await readFile(path.join(dir, 'provisioner.json'), 'utf8'));
    }
    expect(scan.leaks()).toEqual([]);
    console.info(`secrets: ${scenarios} scenarios, ${scan.size} texts scanned, 0 leaks`);
  });
});
