import axios from 'axios';
import { describe, expect, it } from 'vitest';
import { resolveClientOptions, type ScimClientOptions } from '../../src/client/options';

const base = { baseUrl: 'https://scim.example.com/v2/' };

describe('resolveClientOptions', () => {
  it('applies the documented defaults', () => {
    const resolved = resolveClientOptions(base);
    expect(resolved).toMatchObject({
      baseUrl: 'https://scim.example.com/v2',
      timeout: 30_000,
      deadline: 120_000,
      concurrency: 4,
      rateLimit: undefined,
      validation: 'lenient',
      userAgent: 'aquera-provisioner',
      rejectUnauthorized: true,
      pageSize: 100,
      maxPages: 10_000,
      discovery: 'auto',
      patch: { users: 'auto', groups: 'auto' },
      groups: { removeForm: 'valuePath', maxOperationsPerRequest: 10, maxMembersPerOperation: 100 },
      contentType: 'application/scim+json',
    });
    expect(resolved.retry.limit).toBe(4);
    expect([...resolved.retry.statuses]).toEqual([429, 500, 502, 503, 504]);
    expect([...resolved.retry.methods]).toEqual(['GET', 'PUT', 'PATCH', 'DELETE']);
  });

  it('never writes to the caller object and is not affected by later changes to it', () => {
    const options = { ...base, headers: { 'X-Tenant': 'a' }, retry: { limit: 2 } };
    const frozen = JSON.stringify(options);
    const resolved = resolveClientOptions(options);
    expect(JSON.stringify(options)).toBe(frozen);
    options.headers['X-Tenant'] = 'b';
    options.retry.limit = 9;
    expect(resolved.headers['X-Tenant']).toBe('a');
    expect(resolved.retry.limit).toBe(2);
  });

  it.each<[string, Partial<ScimClientOptions> | Record<string, unknown>, string]>([
    ['baseUrl', { baseUrl: 'not a url' }, '"baseUrl"'],
    ['baseUrl scheme', { baseUrl: 'ftp://x/v2' }, '"baseUrl"'],
    ['baseUrl credentials', { baseUrl: 'https://u:p@x/v2' }, '"baseUrl"'],
    ['timeout', { timeout: -1 }, '"timeout"'],
    ['deadline', { deadline: 0 }, '"deadline"'],
    ['concurrency', { concurrency: 1.5 }, '"concurrency"'],
    ['rateLimit', { rateLimit: 0 }, '"rateLimit"'],
    ['retry', { retry: 'yes' }, '"retry"'],
    ['retry.limit', { retry: { limit: -1 } }, '"retry.limit"'],
    ['retry.statuses', { retry: { statuses: [200] } }, '"retry.statuses"'],
    ['retry.methods POST', { retry: { methods: ['POST'] } }, '"retry.methods"'],
    ['validation', { validation: 'loose' }, '"validation"'],
    ['pageSize', { pageSize: 0 }, '"pageSize"'],
    ['maxPages', { maxPages: Number.NaN }, '"maxPages"'],
    ['discovery', { discovery: 'never' }, '"discovery"'],
    ['patch.users', { patch: { users: 'put' } }, '"patch.users"'],
    ['groups.removeForm', { groups: { removeForm: 'entra' } }, '"groups.removeForm"'],
    ['headers', { headers: { 'X-A': 1 } }, '"headers.X-A"'],
    ['auth.type', { auth: { type: 'oauth' } }, '"auth.type"'],
    ['auth.token', { auth: { type: 'bearer', token: '' } }, '"auth.token"'],
    ['auth both', { auth: { type: 'bearer', token: 't', getToken: () => 't' } }, '"auth"'],
    ['auth.username', { auth: { type: 'basic', username: 'a:b', password: 'p' } }, '"auth.username"'],
    ['rejectUnauthorized', { rejectUnauthorized: 'no' }, '"rejectUnauthorized"'],
    ['ca', { ca: 42 }, '"ca"'],
  ])('a bad %s fails at construction naming the field', (_name, patch, field) => {
    expect(() => resolveClientOptions({ ...base, ...patch } as ScimClientOptions)).toThrow(
      expect.objectContaining({ name: 'TypeError', message: expect.stringContaining(field) }),
    );
  });

  it('never shows a credential in an option error', () => {
    const attempt = () =>
      resolveClientOptions({
        baseUrl: 'http://scim.example.com/v2',
        auth: { type: 'basic', username: 'svc', password: 'Sup3r-Secret!' },
      });
    expect(attempt).toThrow(/allowInsecureHttp/);
    try {
      attempt();
    } catch (error) {
      expect(String(error)).not.toContain('Sup3r-Secret!');
    }
  });

  it('refuses credentials over plain http to another host, but allows loopback and the explicit opt-in', () => {
    const auth = { type: 'bearer' as const, token: 'tok' };
    expect(() => resolveClientOptions({ baseUrl: 'http://scim.example.com/v2', auth })).toThrow(
      /"baseUrl".*clear text/,
    );
    for (const host of ['127.0.0.1', 'localhost', '[::1]', '127.5.6.7']) {
      expect(resolveClientOptions({ baseUrl: `http://${host}:8080/v2`, auth }).baseUrl).toContain(host);
    }
    expect(
      resolveClientOptions({ baseUrl: 'http://scim.example.com/v2', auth, allowInsecureHttp: true })
        .allowInsecureHttp,
    ).toBe(true);
    expect(resolveClientOptions({ baseUrl: 'http://scim.example.com/v2' }).auth).toBeUndefined();
  });

  it('keeps the literal secrets of auth for redaction', () => {
    const basic = resolveClientOptions({
      ...base,
      auth: { type: 'basic', username: 'svc', password: 'pw-123' },
    });
    expect(basic.secrets).toContain('pw-123');
    expect(basic.secrets).toContain(Buffer.from('svc:pw-123').toString('base64'));
    const bearer = resolveClientOptions({ ...base, auth: { type: 'bearer', token: 'tok-456' } });
    expect(bearer.secrets).toEqual(['tok-456']);
  });

  it('accepts retry shorthands', () => {
    expect(resolveClientOptions({ ...base, retry: false }).retry.limit).toBe(0);
    expect(resolveClientOptions({ ...base, retry: 7 }).retry.limit).toBe(7);
  });

  it('refuses TLS options together with an axios instance, and Authorization in headers together with auth', () => {
    expect(() => resolveClientOptions({ ...base, axios: axios.create(), rejectUnauthorized: false })).toThrow(
      /"rejectUnauthorized"/,
    );
    expect(() =>
      resolveClientOptions({
        ...base,
        auth: { type: 'bearer', token: 't' },
        headers: { authorization: 'x' },
      }),
    ).toThrow(/"headers.authorization"/);
  });
});
