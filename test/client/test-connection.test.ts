import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScimClient } from '../../src/client/ScimClient';
import { ScimTestServer } from '../../src/testing/ScimTestServer';
import { listBody, sendJson } from './helpers/stub-server';

let server: ScimTestServer;
let https: Server;
let httpsUrl: string;
let certificate: string;
let directory: string;
const clients: ScimClient[] = [];

function track(made: ScimClient): ScimClient {
  clients.push(made);
  return made;
}

beforeAll(async () => {
  server = await ScimTestServer.start({ auth: { type: 'bearer', token: 'conn-token-123' } });
  directory = mkdtempSync(join(tmpdir(), 'scim-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(directory, 'key.pem'),
      '-out',
      join(directory, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  certificate = readFileSync(join(directory, 'cert.pem'), 'utf8');
  https = createHttpsServer(
    { key: readFileSync(join(directory, 'key.pem')), cert: certificate },
    (request, response) => {
      if (request.url?.startsWith('/scim/v2/Users')) {
        sendJson(response, 200, listBody([{ id: '1', userName: 'tls-user' }]));
      } else {
        sendJson(response, 404, { detail: 'not here' });
      }
    },
  );
  await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
  httpsUrl = `https://127.0.0.1:${(https.address() as AddressInfo).port}/scim/v2`;
});

afterAll(async () => {
  for (const made of clients) made.close();
  await server.close();
  https.closeAllConnections();
  await new Promise<void>((resolve) => https.close(() => resolve()));
  rmSync(directory, { recursive: true, force: true });
});

function summary(report: { checks: readonly { name: string; ok: boolean; skipped?: boolean }[] }) {
  return report.checks.map(
    (check) => `${check.name}:${check.skipped ? 'skipped' : check.ok ? 'ok' : 'FAIL'}`,
  );
}

describe('testConnection', () => {
  it('says yes, step by step, for a working service', async () => {
    const report = await track(
      new ScimClient({ baseUrl: server.baseUrl, auth: { type: 'bearer', token: 'conn-token-123' } }),
    ).testConnection();
    expect(report.ok).toBe(true);
    expect(summary(report)).toEqual([
      'dns:ok',
      'connect:ok',
      'tls:skipped',
      'auth:ok',
      'read:ok',
      'discovery:ok',
    ]);
    expect(report.checks.find((check) => check.name === 'read')?.detail).toContain('answered 200');
  });

  it('names authentication as what failed for a wrong token, without showing it', async () => {
    const report = await track(
      new ScimClient({ baseUrl: server.baseUrl, auth: { type: 'bearer', token: 'wrong-token-456' } }),
    ).testConnection();
    expect(report.ok).toBe(false);
    expect(summary(report)).toEqual([
      'dns:ok',
      'connect:ok',
      'tls:skipped',
      'auth:FAIL',
      'read:skipped',
      'discovery:skipped',
    ]);
    expect(report.checks.find((check) => check.name === 'auth')?.detail).toContain('HTTP 401');
    expect(JSON.stringify(report)).not.toContain('wrong-token-456');
  });

  it('names the connection as what failed when nothing listens', async () => {
    const closed = createHttpsServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const report = await track(new ScimClient({ baseUrl: `http://127.0.0.1:${port}/v2` })).testConnection({
      timeout: 2000,
    });
    expect(summary(report).slice(0, 3)).toEqual(['dns:ok', 'connect:FAIL', 'tls:skipped']);
    expect(report.checks[1]?.detail).toContain('ECONNREFUSED');
  });

  it('names TLS as what failed for an untrusted certificate, and passes with the right ca', async () => {
    const untrusted = await track(new ScimClient({ baseUrl: httpsUrl })).testConnection();
    expect(summary(untrusted)).toEqual([
      'dns:ok',
      'connect:ok',
      'tls:FAIL',
      'auth:skipped',
      'read:skipped',
      'discovery:skipped',
    ]);
    expect(untrusted.checks[2]?.detail).toMatch(/SELF_SIGNED|self.signed/i);
    const trusted = track(new ScimClient({ baseUrl: httpsUrl, ca: certificate }));
    const report = await trusted.testConnection();
    expect(summary(report)).toEqual(['dns:ok', 'connect:ok', 'tls:ok', 'auth:ok', 'read:ok', 'discovery:ok']);
    expect(report.checks.find((check) => check.name === 'discovery')?.detail).toContain('unavailable');
    // The client's own requests use the same TLS settings.
    await expect(trusted.users.findByUserName('tls-user')).resolves.toMatchObject({ id: '1' });
    await expect(
      track(new ScimClient({ baseUrl: httpsUrl, retry: false })).users.get('1'),
    ).rejects.toMatchObject({
      name: 'ScimNetworkError',
    });
  });
});
