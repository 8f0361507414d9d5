/**
 * TLS to the target: an HTTPS front (certificates generated with openssl at test time) on a
 * ScimTestServer. A self-signed or unknown certificate, or one for another host, is refused by
 * default with a typed error that names the problem; it is accepted with the CA given (`ca`) or with
 * verification turned off by name (`rejectUnauthorized: false`). Through ScimClient, a whole
 * engine cycle, and the command line's configuration (`target.tls`).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli';
import { isScimNetworkError } from '../../src/client/errors/ScimNetworkError';
import type { ScimClientOptions } from '../../src/client/options';
import { ScimClient } from '../../src/client/ScimClient';
import { InMemoryDatastore } from '../../src/datastore/memory/InMemoryDatastore';
import { isSyncAbortedError } from '../../src/engine/errors/SyncAbortedError';
import { ProvisioningEngine } from '../../src/engine/ProvisioningEngine';
import { MemoryStateStore } from '../../src/engine/state/MemoryStateStore';
import { captureIo, writeConfig } from '../cli/helpers';
import { person, USER_MAPPING } from '../engine/helpers';
import { companyLdif } from '../support/ldap/ldif';
import { type SlapdHandle, startSlapd } from '../support/ldap/slapd';
import { createCertificates, type KeyPair, type TlsFixtures } from './support/input/certificates';
import { type HostileTarget, startHostileTarget } from './support/input/hostile-target';

const TOKEN = `tls-sentinel-token-${randomBytes(12).toString('hex')}`;

let folder: string;
let certificates: TlsFixtures;
let slapd: SlapdHandle;
const targets: HostileTarget[] = [];
const clients: ScimClient[] = [];

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'rel-tls-'));
  [certificates, slapd] = await Promise.all([
    createCertificates(folder),
    startSlapd({ seedLdif: companyLdif({ users: 5 }) }),
  ]);
});

afterAll(async () => {
  for (const client of clients) client.close();
  await Promise.all(targets.map((target) => target.close()));
  await slapd?.stop();
  if (folder !== undefined) await rm(folder, { recursive: true, force: true });
});

async function httpsTarget(pair: KeyPair): Promise<HostileTarget> {
  const target = await startHostileTarget({
    tls: { key: pair.key, cert: pair.cert },
    auth: { type: 'bearer', token: TOKEN },
  });
  targets.push(target);
  return target;
}

function client(target: HostileTarget, options: Partial<ScimClientOptions> = {}): ScimClient {
  const created = new ScimClient({
    baseUrl: target.baseUrl,
    auth: { type: 'bearer', token: TOKEN },
    retry: { limit: 1, baseDelay: 1, backoffLimit: 5 },
    ...options,
  });
  clients.push(created);
  return created;
}

/** The error a call rejects with (fails the test when it resolves). */
async function failureOf(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome, 'the call succeeded').toBeInstanceOf(Error);
  return outcome as Error;
}

function expectTlsRefusal(error: Error, code: RegExp, message: RegExp): void {
  expect(isScimNetworkError(error), inspect(error)).toBe(true);
  expect((error as { code?: string }).code).toMatch(code);
  expect(error.message).toMatch(message);
  expect(inspect(error, { depth: Number.POSITIVE_INFINITY })).not.toContain(TOKEN);
}

describe('ScimClient over TLS', () => {
  it('refuses a self-signed certificate by default, with an error naming it, and sends nothing', async () => {
    const target = await httpsTarget(certificates.selfSigned);
    const error = await failureOf(client(target).users.findByUserName('user1'));
    expectTlsRefusal(error, /^DEPTH_ZERO_SELF_SIGNED_CERT$/, /self[- ]signed/i);
    expect(target.requests).toEqual([]);
  });

  it('accepts the self-signed certificate when it is given as the CA', async () => {
    const target = await httpsTarget(certificates.selfSigned);
    const created = await client(target, { ca: certificates.selfSigned.cert }).users.create({
      userName: 'tls1',
    });
    expect(created.userName).toBe('tls1');
    expect(target.upstream.counts().users).toBe(1);
  });

  it('accepts it with verification turned off by name (rejectUnauthorized: false)', async () => {
    const target = await httpsTarget(certificates.selfSigned);
    const created = await client(target, { rejectUnauthorized: false }).users.create({ userName: 'tls2' });
    expect(created.userName).toBe('tls2');
  });

  it('refuses a certificate from an unknown CA, and accepts it with that CA given', async () => {
    const target = await httpsTarget(certificates.signed);
    const error = await failureOf(client(target).users.create({ userName: 'tls3' }));
    expectTlsRefusal(error, /^UNABLE_TO_(VERIFY_LEAF_SIGNATURE|GET_ISSUER_CERT_LOCALLY)$/, /certificate/i);
    expect(target.requests).toEqual([]);
    const created = await client(target, { ca: certificates.ca.cert }).users.create({ userName: 'tls3' });
    expect(created.userName).toBe('tls3');
  });

  it('refuses a certificate for another host name even with its CA given', async () => {
    const target = await httpsTarget(certificates.wrongName);
    const error = await failureOf(client(target, { ca: certificates.ca.cert }).users.get('x'));
    expectTlsRefusal(error, /^ERR_TLS_CERT_ALTNAME_INVALID$/, /altnames|does not match/i);
    expect(target.requests).toEqual([]);
  });

  it('reports the certificate problem in testConnection, step tls', async () => {
    const target = await httpsTarget(certificates.selfSigned);
    const report = await client(target).testConnection();
    expect(report.ok).toBe(false);
    const tls = report.checks.find((check) => check.name === 'tls');
    expect(tls?.ok).toBe(false);
    expect(tls?.detail).toMatch(/self[- ]signed/i);
    expect(inspect(report, { depth: Number.POSITIVE_INFINITY })).not.toContain(TOKEN);
  });
});

describe('an engine cycle over TLS', () => {
  it('stops at once on an untrusted certificate with a SyncAbortedError (tls), writing nothing', async () => {
    const target = await httpsTarget(certificates.selfSigned);
    const engine = new ProvisioningEngine({
      datastore: new InMemoryDatastore({ users: [person(1), person(2)] }),
      client: client(target),
      state: new MemoryStateStore(),
      mapping: { users: USER_MAPPING },
    });
    const error = await failureOf(engine.sync());
    expect(isSyncAbortedError(error), inspect(error)).toBe(true);
    expect((error as { reason?: string }).reason).toBe('tls');
    expect(inspect(error, { depth: Number.POSITIVE_INFINITY })).not.toContain(TOKEN);
    expect(target.requests).toEqual([]);
    expect(target.upstream.counts()).toEqual({ users: 0, groups: 0 });
  });
});

describe('the command line over TLS', () => {
  async function sync(target: HostileTarget, tls: Record<string, unknown> | undefined, name: string) {
    const dir = await mkdtemp(path.join(folder, `cli-${name}-`));
    await writeConfig(dir, 'provisioner.json', {
      target: {
        url: target.baseUrl,
        auth: { type: 'bearer', token: { env: 'SCIM_TOKEN' } },
        ...(tls === undefined ? {} : { tls }),
      },
      source: {
        directory: 'ldapv3',
        urls: slapd.url,
        bindDn: slapd.readerDn,
        bindPassword: { env: 'LDAP_PASSWORD' },
        users: { baseDn: `ou=people,${slapd.suffix}` },
      },
    });
    const io = captureIo({ env: { SCIM_TOKEN: TOKEN, LDAP_PASSWORD: slapd.readerPassword }, cwd: dir });
    const code = await runCli(['sync', '--config', 'provisioner.json'], io);
    expect(io.allText()).not.toContain(TOKEN);
    expect(io.allText()).not.toContain(slapd.readerPassword);
    return { code, io };
  }

  it('refuses a self-signed target (exit code 2, the problem named) and writes nothing', async () => {
    const target = await httpsTarget(certificates.selfSigned);
    const { code, io } = await sync(target, undefined, 'refused');
    expect(code, io.allText()).toBe(2);
    expect(io.stderrText()).toMatch(/self[- ]signed|certificate|TLS/i);
    expect(target.upstream.counts().users).toBe(0);
  });

  it('syncs with target.tls.caFile', async () => {
    const target = await httpsTarget(certificates.signed);
    const { code, io } = await sync(target, { caFile: certificates.ca.certPath }, 'ca');
    expect(code, io.allText()).toBe(0);
    expect(target.upstream.counts().users).toBeGreaterThan(0);
  });

  it('syncs with target.tls.rejectUnauthorized: false', async () => {
    const target = await httpsTarget(certificates.selfSigned);
    const { code, io } = await sync(target, { rejectUnauthorized: false }, 'insecure');
    expect(code, io.allText()).toBe(0);
    expect(target.upstream.counts().users).toBeGreaterThan(0);
  });

  it('refuses a certificate for another host even with target.tls.caFile', async () => {
    const target = await httpsTarget(certificates.wrongName);
    const { code, io } = await sync(target, { caFile: certificates.ca.certPath }, 'wrong-name');
    expect(code, io.allText()).toBe(2);
    expect(target.upstream.counts().users).toBe(0);
  });
});
