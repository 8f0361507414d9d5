/**
 * Each runnable example, run as a user would run it: `node examples/<name>.mjs`, importing the
 * built package by its name (`aquera-provisioner` resolves to this package through its `exports`,
 * so `npm run build` comes first, as `npm test` does).
 *
 * AQUERA_EXAMPLES_ROOT runs the examples of another copy of the package (a packed or installed
 * one) instead of this checkout.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScimTestServer } from '../../src/testing/ScimTestServer';
import { DEMO_SUFFIX, demoCounts, demoLdifForSlapd, REPO_ROOT, scratchFolder } from '../cli/helpers';
import { type SlapdHandle, startSlapd } from '../support/ldap/slapd';

const ROOT = process.env.AQUERA_EXAMPLES_ROOT ?? REPO_ROOT;
const run = promisify(execFile);

/** Runs an example; resolves with its output, or rejects with it and the exit code. */
function example(name: string, env: Record<string, string> = {}, cwd = ROOT) {
  return run(process.execPath, [path.join(ROOT, 'examples', name)], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    timeout: 60_000,
  });
}

beforeAll(async () => {
  // A clear message rather than a module-not-found from inside an example.
  const built = path.join(ROOT, 'dist', 'index.js');
  if (!existsSync(built)) throw new Error(`${built} is missing: run npm run build first`);
  const exported = Object.keys(await import(/* @vite-ignore */ built));
  const needed = ['AqueraClient', 'ScimClient', 'LdapDatastore', 'InMemoryDatastore', 'ProvisioningEngine'];
  const missing = [...needed, 'FileStateStore', 'MemoryStateStore', 'LDAPV3_USER_MAPPING'].filter(
    (name) => !exported.includes(name),
  );
  if (missing.length > 0) throw new Error(`dist/index.js does not export ${missing.join(', ')}: rebuild it`);
});

describe('examples/quick-start.mjs', () => {
  let slapd: SlapdHandle;
  let server: ScimTestServer;
  const token = `quick-start-${randomBytes(8).toString('hex')}`;

  beforeAll(async () => {
    [slapd, server] = await Promise.all([
      startSlapd({ suffix: DEMO_SUFFIX, seedLdif: demoLdifForSlapd() }),
      ScimTestServer.start({ auth: { type: 'bearer', token } }),
    ]);
  });
  afterAll(async () => {
    await server?.close();
    await slapd?.stop();
  });

  it('provisions an LDAP directory to an Aquera-style SCIM endpoint from environment variables', async () => {
    const scratch = await scratchFolder('quick-start');
    try {
      const counts = demoCounts();
      const { stdout, stderr } = await example(
        'quick-start.mjs',
        {
          LDAP_URL: slapd.url,
          LDAP_BIND_DN: slapd.readerDn,
          LDAP_PASSWORD: slapd.readerPassword,
          LDAP_BASE_DN: DEMO_SUFFIX,
          AQUERA_SCIM_URL: server.baseUrl,
          AQUERA_TOKEN: token,
        },
        scratch.dir,
      );
      expect(stderr).toBe('');
      expect(stdout).toContain(`users: ${counts.people - counts.disabled} created, 0 updated, 0 disabled`);
      expect(stdout).toContain(`groups: ${counts.groups} created; failures: 0`);
      expect(server.counts()).toEqual({ users: counts.people - counts.disabled, groups: counts.groups });
      expect(existsSync(path.join(scratch.dir, 'aquera-provisioner.state.json'))).toBe(true);
    } finally {
      await scratch.remove();
    }
  });
});

describe('examples/custom-adapter.mjs', () => {
  it('provisions the CSV files to a ScimTestServer of its own', async () => {
    const { stdout } = await example('custom-adapter.mjs');
    // examples/data: six people, one of them disabled (not provisioned); three groups.
    expect(stdout).toMatch(/^user {2}create {2}ada\.lovelace$/m);
    expect(stdout).not.toContain('charles.babbage');
    expect(stdout).toContain('5 users and 3 groups created, 0 failures');
  });
});

describe('examples/events.mjs', () => {
  it('shows the events of three cycles: creates, held removals, then the removals allowed', async () => {
    const { stdout, stderr } = await example('events.mjs');
    expect(stdout.match(/^ {2}user create: /gm)).toHaveLength(6);
    expect(stdout).toContain('cycle end: 6 created, 0 disabled, held 0');
    expect(stderr).toContain('removals held: 3 (limit 2)');
    expect(stdout).toContain('cycle end: 0 created, 0 disabled, held 3');
    expect(stdout.match(/^ {2}user disable: /gm)).toHaveLength(3);
    expect(stdout).toContain('cycle end: 0 created, 3 disabled, held 0');
  });
});
