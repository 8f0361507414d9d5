import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ConfigContext, loadConfig, resolveConfig } from '../../../src/cli/config/load';
import { isCliConfigError } from '../../../src/cli/errors/CliConfigError';
import { LDAPV3_USER_MAPPING } from '../../../src/engine/mapping/defaults';
import { scratchFolder } from '../helpers';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function minimal(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    target: {
      url: 'https://tenant.aquera.example/scim/app1',
      auth: { type: 'bearer', token: { env: 'TOKEN' } },
    },
    source: {
      directory: 'ldapv3',
      urls: 'ldaps://ldap.example.com',
      bindDn: 'cn=svc,dc=example,dc=com',
      bindPassword: { env: 'LDAP_PASSWORD' },
      users: { baseDn: 'ou=people,dc=example,dc=com' },
    },
    ...overrides,
  };
}

const context = (env: Record<string, string> = {}, baseDir = '/etc/provisioner'): ConfigContext => ({
  env: { TOKEN: 'token-from-env-123', LDAP_PASSWORD: 'ldap-password-456', ...env },
  baseDir,
  label: 'test.json',
});

/** The problems a configuration error lists, or a failure when none is thrown. */
async function problemsOf(
  input: unknown,
  ctx = context(),
): Promise<Array<{ field: string; message: string }>> {
  try {
    await resolveConfig(input, ctx);
  } catch (error) {
    if (isCliConfigError(error)) return [...error.problems];
    throw error;
  }
  throw new Error('expected a configuration error');
}

describe('resolveConfig', () => {
  it('builds the SDK options: Aquera by default, secrets from the environment, the preset mapping', async () => {
    const config = await resolveConfig(minimal(), context());

    expect(config.target).toEqual({
      type: 'aquera',
      options: {
        url: 'https://tenant.aquera.example/scim/app1',
        auth: { type: 'bearer', token: 'token-from-env-123' },
      },
    });
    expect(config.source).toMatchObject({ bindPassword: 'ldap-password-456', directory: 'ldapv3' });
    expect(config.engine.mapping.users).toEqual(LDAPV3_USER_MAPPING);
    expect(config.secrets).toEqual(expect.arrayContaining(['token-from-env-123', 'ldap-password-456']));
  });

  it('reads secrets and CA files relative to the configuration file, and names the state file after it', async () => {
    const scratch = await scratchFolder('config');
    cleanups.push(scratch.remove);
    await writeFile(path.join(scratch.dir, 'ldap.password'), 'from-a-file-789\n');
    await writeFile(
      path.join(scratch.dir, 'ca.pem'),
      '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
    );
    const input = minimal();
    (input.source as Record<string, unknown>).bindPassword = { file: 'ldap.password' };
    (input.source as Record<string, unknown>).tls = { caFile: 'ca.pem', servername: 'dc1.example.com' };
    await writeFile(path.join(scratch.dir, 'corp.json'), JSON.stringify(input));

    const config = await loadConfig('corp.json', { env: { TOKEN: 'token-from-env-123' }, cwd: scratch.dir });

    expect(config.source.bindPassword).toBe('from-a-file-789');
    expect(String(config.source.ca)).toContain('BEGIN CERTIFICATE');
    expect(config.source.servername).toBe('dc1.example.com');
    expect(config.stateFile).toBe(path.join(scratch.dir, 'corp.state.json'));
  });

  it('takes a preset, overrides lines, removes lines with null, and maps groups when asked', async () => {
    const config = await resolveConfig(
      minimal({
        mapping: {
          preset: 'active-directory',
          users: { userName: { from: 'mail', transform: ['trim', 'lower'] }, title: null },
          groups: { displayName: 'name' },
        },
      }),
      context(),
    );

    expect(config.engine.mapping.users.userName).toEqual({ from: 'mail', transform: ['trim', 'lower'] });
    expect(config.engine.mapping.users).not.toHaveProperty('title');
    expect(config.engine.mapping.users.displayName).toBe('displayName');
    expect(config.engine.mapping.groups).toEqual({ displayName: 'name' });
  });

  it('passes the provisioning options through without adding any', async () => {
    const config = await resolveConfig(
      minimal({
        users: { removeAction: 'delete', provisionDisabled: true },
        safety: { deletionThreshold: '5%' },
        match: { users: 'externalId eq "{employeeNumber}"' },
        concurrency: 4,
      }),
      context(),
    );

    expect(config.engine).toMatchObject({
      users: { removeAction: 'delete', provisionDisabled: true },
      safety: { deletionThreshold: '5%' },
      match: { users: 'externalId eq "{employeeNumber}"' },
      concurrency: 4,
    });
    expect(config.engine).not.toHaveProperty('groups');
  });

  it('builds a generic SCIM client for type scim, where credentials are optional', async () => {
    const config = await resolveConfig(
      minimal({ target: { type: 'scim', url: 'http://127.0.0.1:8080/scim/v2' } }),
      context(),
    );
    expect(config.target).toEqual({ type: 'scim', options: { baseUrl: 'http://127.0.0.1:8080/scim/v2' } });
  });

  it('reports every problem at once, each by its field, and suggests the field meant', async () => {
    const problems = await problemsOf({
      target: { url: 'ftp://x', auth: { type: 'token', token: 'x' } },
      source: {
        directory: 'openldap',
        urls: [],
        users: { baseDN: 'ou=people,dc=example,dc=com' },
        pageSize: 0,
      },
      safety: { deletionThreshold: 'many' },
    });
    const byField = Object.fromEntries(problems.map((problem) => [problem.field, problem.message]));

    expect(byField['target.url']).toBe('expected an absolute https:// (or http://) URL');
    expect(byField['target.auth.type']).toContain('expected { "type": "bearer"');
    expect(byField['source.directory']).toBe("expected 'active-directory' or 'ldapv3'");
    expect(byField['source.urls']).toBe('expected at least one ldap:// or ldaps:// URL');
    expect(byField['source.users.baseDn']).toMatch(/^is required/);
    expect(byField['source.users.baseDN']).toBe('is not a known field; did you mean "baseDn"?');
    expect(byField['source.pageSize']).toBe('expected a whole number from 1 to 100000');
    expect(byField['safety.deletionThreshold']).toBe("expected a count (50) or a percentage ('5%')");
  });

  it('lists the known fields when an unknown one is not close to any', async () => {
    const problems = await problemsOf(minimal({ schedule: '15m' }));
    expect(problems).toEqual([
      {
        field: 'schedule',
        message: expect.stringMatching(/^is not a known field \(known here: target, source, mapping/),
      },
    ]);
  });

  it('names a missing environment variable or secret file, never a secret value', async () => {
    const input = minimal();
    (input.target as Record<string, unknown>).auth = {
      type: 'basic',
      username: 'svc',
      password: { file: 'nope.txt' },
    };
    const problems = await problemsOf(input, context({ LDAP_PASSWORD: '' }));

    expect(problems).toEqual([
      {
        field: 'target.auth.password',
        message: expect.stringMatching(/^cannot read \/etc\/provisioner\/nope\.txt/),
      },
      {
        field: 'source.bindPassword',
        message: 'the environment variable LDAP_PASSWORD is not set (or is empty)',
      },
    ]);
  });

  it('requires credentials for an Aquera target', async () => {
    const problems = await problemsOf(
      minimal({ target: { url: 'https://tenant.aquera.example/scim/app1' } }),
    );
    expect(problems).toEqual([
      { field: 'target.auth', message: expect.stringMatching(/^is required for an Aquera target/) },
    ]);
  });

  it('never shows a value from the file in a message', async () => {
    const secret = 'plain-text-secret-in-the-file';
    const problems = await problemsOf(
      minimal({
        target: { url: secret, auth: { type: 'bearer', token: 42, extra: secret } },
        concurrency: secret,
      }),
    );
    expect(problems.length).toBeGreaterThan(0);
    expect(JSON.stringify(problems)).not.toContain(secret);
  });

  it('refuses a mapping preset "none" without lines', async () => {
    const problems = await problemsOf(minimal({ mapping: { preset: 'none' } }));
    expect(problems).toEqual([{ field: 'mapping.users', message: expect.stringMatching(/^maps nothing/) }]);
  });
});

describe('loadConfig', () => {
  it('says where the JSON is broken, without quoting it', async () => {
    const scratch = await scratchFolder('config');
    cleanups.push(scratch.remove);
    await writeFile(path.join(scratch.dir, 'broken.json'), '{\n  "target": {\n    "url": "x",\n  }\n}\n');

    const error = await loadConfig('broken.json', { env: {}, cwd: scratch.dir }).catch(
      (caught: unknown) => caught,
    );

    expect(isCliConfigError(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /broken\.json: a problem in the configuration\n {2}is not valid JSON: line 4, column 3/,
    );
  });

  it('says when the file cannot be read', async () => {
    const error = await loadConfig('/nonexistent/provisioner.json', { env: {}, cwd: '/' }).catch(
      (caught: unknown) => caught,
    );
    expect((error as Error).message).toContain('cannot read the file (ENOENT)');
  });
});
