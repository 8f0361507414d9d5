/**
 * `aquera-provisioner sso links` and `sso check`, in process with captured streams: metadata files
 * built in the test (certificates generated with openssl), a throwaway slapd seeded with a few users
 * (two of them equal but for case), the exit codes docs/cli.md promises, and no secret printed.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/cli/args';
import { runCli } from '../../src/cli/cli';
import { resolveConfig } from '../../src/cli/config/load';
import { isCliConfigError } from '../../src/cli/errors/CliConfigError';
import { isUsageError } from '../../src/cli/errors/UsageError';
import { daysFrom, makeCertificate, type TestCertificate } from '../sso/support/certificates';
import {
  aqueraSpMetadata,
  BINDING_POST,
  NAMEID_EMAIL,
  NAMEID_UNSPECIFIED,
  pingFederateIdpMetadata,
} from '../sso/support/metadata';
import { type SlapdHandle, startSlapd } from '../support/ldap/slapd';
import { captureIo, scratchFolder, writeConfig } from './helpers';

const SUFFIX = 'dc=example,dc=com';
const SP_ENTITY = 'https://app.example.com/saml?tenant=a&b';
const TOKEN = `sso-token-${randomBytes(8).toString('hex')}`;

let slapd: SlapdHandle;
let dir: string;
let removeDir: () => Promise<void>;
let far: TestCertificate;
let near: TestCertificate;

const PEOPLE = `dn: ou=people,${SUFFIX}
objectClass: organizationalUnit
ou: people

dn: ou=contractors,ou=people,${SUFFIX}
objectClass: organizationalUnit
ou: contractors

dn: uid=jdoe,ou=people,${SUFFIX}
objectClass: inetOrgPerson
uid: jdoe
cn: John Doe
sn: Doe
mail: john.doe@example.com

dn: uid=asmith,ou=people,${SUFFIX}
objectClass: inetOrgPerson
uid: asmith
cn: Ann Smith
sn: Smith
mail: ann.smith@example.com

dn: uid=JDoe,ou=contractors,ou=people,${SUFFIX}
objectClass: inetOrgPerson
uid: JDoe
cn: Jane Doe
sn: Doe
mail: jane.doe@example.com
`;

beforeAll(async () => {
  const now = new Date();
  [slapd, far, near] = await Promise.all([
    startSlapd({ suffix: SUFFIX, seedLdif: PEOPLE }),
    makeCertificate('app.example.com', daysFrom(now, -1), daysFrom(now, 3650)),
    makeCertificate('pf.example.com', daysFrom(now, -300), daysFrom(now, 12)),
  ]);
  ({ dir, remove: removeDir } = await scratchFolder('sso'));
  await writeFile(
    path.join(dir, 'sp.xml'),
    aqueraSpMetadata({
      entityId: SP_ENTITY,
      acs: [
        { binding: BINDING_POST, location: 'https://app.example.com/saml/acs', index: 0, isDefault: true },
      ],
      signing: [far.base64],
      nameIdFormats: [NAMEID_EMAIL, NAMEID_UNSPECIFIED],
    }),
  );
  await writeFile(
    path.join(dir, 'idp.xml'),
    pingFederateIdpMetadata({
      entityId: 'pf.example.com',
      ssoBase: 'https://pf.example.com:9031',
      signing: [near.base64],
    }),
  );
  await writeFile(
    path.join(dir, 'hostile.xml'),
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><EntityDescriptor entityID="&e;"/>',
  );
});

afterAll(async () => {
  await removeDir?.();
  await slapd?.stop();
});

function config(overrides: Record<string, unknown> = {}, directoryUrl?: string): Record<string, unknown> {
  return {
    target: {
      type: 'aquera',
      url: 'https://tenant.aquera.example/scim/app-1',
      auth: { type: 'bearer', token: { env: 'AQUERA_TOKEN' } },
    },
    source: {
      directory: 'ldapv3',
      urls: directoryUrl ?? slapd.url,
      bindDn: slapd.readerDn,
      bindPassword: { env: 'LDAP_PASSWORD' },
      users: { baseDn: `ou=people,${SUFFIX}` },
      connectTimeout: 2000,
      reconnectAttempts: 0,
    },
    sso: {
      sp: { metadataFile: 'sp.xml', signInUrl: 'https://app.example.com/saml/login' },
      idp: { type: 'pingfederate', host: 'pf.example.com:9031', metadataFile: 'idp.xml' },
      targetResource: 'https://app.example.com/reports?year=2025&q=a b',
    },
    ...overrides,
  };
}

async function run(argv: string[], configuration: Record<string, unknown>) {
  const file = await writeConfig(dir, `config-${randomBytes(4).toString('hex')}.json`, configuration);
  const io = captureIo({ env: { AQUERA_TOKEN: TOKEN, LDAP_PASSWORD: slapd.readerPassword }, cwd: dir });
  const code = await runCli([...argv, '--config', file], io);
  expect(io.allText()).not.toContain(slapd.readerPassword);
  expect(io.allText()).not.toContain(TOKEN);
  return { code, io, json: () => JSON.parse(io.stdoutText()) };
}

/** A directory URL nothing listens on: commands that must not read the directory still work. */
const NO_DIRECTORY = 'ldap://127.0.0.1:1';

describe('sso links', () => {
  it('prints the PingFederate IdP-initiated and the SP-initiated links, without the directory', async () => {
    const { code, io } = await run(['sso', 'links'], config({}, NO_DIRECTORY));
    expect(code).toBe(0);
    const out = io.stdoutText();
    const idpLink = /IdP-initiated\s+(\S+)/.exec(out)?.[1] ?? '';
    const url = new URL(idpLink);
    expect(url.origin + url.pathname).toBe('https://pf.example.com:9031/idp/startSSO.ping');
    expect(url.searchParams.get('PartnerSpId')).toBe(SP_ENTITY);
    expect(url.searchParams.get('TargetResource')).toBe('https://app.example.com/reports?year=2025&q=a b');
    const spLink = new URL(/SP-initiated\s+(\S+)/.exec(out)?.[1] ?? '');
    expect(spLink.searchParams.get('RelayState')).toBe('https://app.example.com/reports?year=2025&q=a b');
  });

  it('prints the PingOne link as JSON, with the entity id given outright', async () => {
    const environmentId = '2b7a3c4d-1111-4abc-8def-0123456789ab';
    const { code, json } = await run(
      ['sso', 'links', '--json'],
      config(
        {
          sso: {
            sp: { entityId: 'urn:app:café & co' },
            idp: { type: 'pingone', region: 'com.au', environmentId },
          },
        },
        NO_DIRECTORY,
      ),
    );
    expect(code).toBe(0);
    const output = json();
    expect(output.ok).toBe(true);
    expect(output.links.spInitiated).toBeUndefined();
    const url = new URL(output.links.idpInitiated);
    expect(url.origin).toBe('https://auth.pingone.com.au');
    expect(url.pathname).toBe(`/${environmentId}/saml20/idp/startsso`);
    expect(url.searchParams.get('spEntityId')).toBe('urn:app:café & co');
  });

  it('finds a user by provisioned userName and shows the name they sign in as', async () => {
    const { code, json } = await run(['sso', 'links', '--user', 'ASMITH', '--json'], config());
    expect(code).toBe(0);
    expect(json().user).toMatchObject({
      userName: 'asmith',
      dn: `uid=asmith,ou=people,${SUFFIX}`,
      disabled: false,
    });
  });

  it('exits 2 when --user names nobody in scope', async () => {
    const { code, io } = await run(['sso', 'links', '--user', 'nobody'], config());
    expect(code).toBe(2);
    expect(io.stderrText()).toContain('no user "nobody"');
  });

  it('exits 2 naming the field for a malformed host and a hostile metadata file', async () => {
    const badHost = await run(
      ['sso', 'links'],
      config(
        { sso: { sp: { entityId: 'urn:app' }, idp: { type: 'pingfederate', host: 'pf.example.com/idp' } } },
        NO_DIRECTORY,
      ),
    );
    expect(badHost.code).toBe(2);
    expect(badHost.io.stderrText()).toContain('sso.idp.host');
    const hostile = await run(
      ['sso', 'links'],
      config(
        { sso: { sp: { metadataFile: 'hostile.xml' }, idp: { type: 'pingfederate', host: 'pf' } } },
        NO_DIRECTORY,
      ),
    );
    expect(hostile.code).toBe(2);
    expect(hostile.io.stderrText()).toContain('sso.sp.metadataFile');
    expect(hostile.io.stderrText()).toContain('DOCTYPE');
    expect(hostile.io.stderrText()).not.toContain('root:');
  });

  it('exits 2 when the configuration has no sso section', async () => {
    const { code, io } = await run(['sso', 'links'], { ...config({}, NO_DIRECTORY), sso: undefined });
    expect(code).toBe(2);
    expect(io.stderrText()).toMatch(/^\s+sso: is required/m);
  });
});

describe('sso check', () => {
  it('exits 2 with both mismatches: emailAddress asked but userName from uid, and jdoe/JDoe', async () => {
    const { code, json } = await run(['sso', 'check', '--json'], config());
    expect(code).toBe(2);
    const output = json();
    expect(output.ok).toBe(false);
    expect(output.exitCode).toBe(2);
    const byName = Object.fromEntries(
      (
        output.report.checks as {
          name: string;
          ok: boolean;
          findings: { code: string; clashes?: string[][] }[];
        }[]
      ).map((check) => [check.name, check]),
    );
    expect(byName.nameIdFormat?.findings.map((finding) => finding.code)).toContain('nameIdFormatMismatch');
    expect(byName.userNames?.findings[0]?.code).toBe('userNameNotUniqueCaseInsensitive');
    expect(byName.userNames?.findings[0]?.clashes?.map((clash) => [...clash].sort())).toEqual([
      ['JDoe', 'jdoe'],
    ]);
    expect(byName.spCertificates?.ok).toBe(true);
    expect(byName.idpCertificates?.findings.map((finding) => finding.code)).toEqual(['certificateExpiring']);
  });

  it('exits 0 when userName is the mail address and the IdP sends mail, warning about the certificate', async () => {
    const { code, io } = await run(
      ['sso', 'check'],
      config({
        mapping: { users: { userName: 'mail' } },
        sso: {
          sp: { metadataFile: 'sp.xml' },
          idp: {
            type: 'pingfederate',
            host: 'pf.example.com',
            metadataFile: 'idp.xml',
            subjectAttribute: 'mail',
          },
        },
      }),
    );
    expect(code).toBe(0);
    const out = io.stdoutText();
    expect(out).toMatch(/✓\s+nameIdFormat/);
    expect(out).toMatch(/userNames\s+3 userNames checked, 3 shaped as e-mail addresses/);
    expect(out).toContain('certificateExpiring');
    expect(out).toContain('A provisioned user can sign in');
  });

  it('takes another certificate window from the configuration', async () => {
    const { json } = await run(
      ['sso', 'check', '--json', '--offline'],
      config(
        {
          mapping: { users: { userName: 'mail' } },
          sso: {
            sp: { metadataFile: 'sp.xml' },
            idp: { type: 'pingfederate', host: 'pf.example.com', metadataFile: 'idp.xml' },
            certificateWarningDays: 7,
          },
        },
        NO_DIRECTORY,
      ),
    );
    const idp = json().report.checks.find((check: { name: string }) => check.name === 'idpCertificates');
    expect(idp.findings).toEqual([]);
  });

  it('with --offline checks the mapping and metadata without the directory', async () => {
    const { code, json } = await run(['sso', 'check', '--offline', '--json'], config({}, NO_DIRECTORY));
    expect(code).toBe(2);
    const checks = json().report.checks as {
      name: string;
      skipped?: boolean;
      findings: { code: string }[];
    }[];
    expect(checks.find((check) => check.name === 'userNames')?.skipped).toBe(true);
    expect(checks[0]?.findings.map((finding) => finding.code)).toContain('nameIdFormatMismatch');
  });

  it('exits 2 when the directory cannot be read (without --offline)', async () => {
    const { code } = await run(['sso', 'check'], config({}, NO_DIRECTORY));
    expect(code).toBe(2);
  });

  it('needs the SP metadata', async () => {
    const { code, io } = await run(
      ['sso', 'check', '--offline'],
      config(
        { sso: { sp: { entityId: 'urn:app' }, idp: { type: 'pingfederate', host: 'pf' } } },
        NO_DIRECTORY,
      ),
    );
    expect(code).toBe(2);
    expect(io.stderrText()).toContain('sso.sp.metadataFile');
  });
});

describe('the sso command line and configuration', () => {
  function usage(argv: string[]): string {
    try {
      parseCommandLine(argv);
    } catch (error) {
      if (isUsageError(error)) return error.message;
      throw error;
    }
    throw new Error('expected a usage error');
  }

  it('reads both subcommands and their own options', () => {
    expect(parseCommandLine(['sso', 'links', '-c', 'p.json', '--user', 'jdoe'])).toEqual({
      kind: 'sso',
      options: { subcommand: 'links', config: 'p.json', json: false, user: 'jdoe', offline: false },
    });
    expect(parseCommandLine(['sso', 'check', '--offline', '--json', '-c', 'p.json'])).toEqual({
      kind: 'sso',
      options: { subcommand: 'check', config: 'p.json', json: true, user: undefined, offline: true },
    });
    expect(parseCommandLine(['sso', '--help'])).toEqual({ kind: 'help', command: 'sso' });
  });

  it('refuses a missing or unknown subcommand, and an option of the other one', () => {
    expect(usage(['sso', '-c', 'p.json'])).toContain('sso links or sso check');
    expect(usage(['sso', 'login', '-c', 'p.json'])).toContain('unknown sso subcommand "login"');
    expect(usage(['sso', 'links', '--offline', '-c', 'p.json'])).toContain('belongs to sso check');
    expect(usage(['sso', 'check', '--user', 'x', '-c', 'p.json'])).toContain('belongs to sso links');
    expect(usage(['sso', 'check'])).toContain('needs --config');
    expect(usage(['sso', 'links', 'extra', '-c', 'p.json'])).toContain('takes no argument "extra"');
  });

  it('validates the sso section by field, suggesting a misspelt name', async () => {
    const problems = async (sso: unknown) => {
      try {
        await resolveConfig(
          {
            target: { type: 'scim', url: 'https://scim.example.com' },
            source: { directory: 'ldapv3', urls: 'ldap://x', users: { baseDn: 'dc=x' } },
            sso,
          },
          { env: {}, baseDir: dir, label: 'test.json' },
        );
      } catch (error) {
        if (isCliConfigError(error))
          return error.problems.map((problem) => `${problem.field}: ${problem.message}`);
        throw error;
      }
      return [];
    };
    expect(await problems({ sp: {}, idp: { type: 'pingfederate', hots: 'pf' } })).toEqual(
      expect.arrayContaining([expect.stringMatching(/^sso\.idp\.hots: .*did you mean "host"/)]),
    );
    expect(await problems({ sp: {}, idp: { type: 'pingone', region: 'us' } })).toEqual([
      expect.stringMatching(/^sso\.idp\.region: expected one of com, eu, ca, com\.au, sg, asia/),
    ]);
    expect(await problems({ sp: {}, idp: { type: 'okta' } })).toHaveLength(1);
    expect(
      await problems({
        sp: { metadataFile: 'sp.xml' },
        idp: { type: 'pingfederate', host: 'pf' },
        certificateWarningDays: -1,
      }),
    ).toEqual([expect.stringMatching(/^sso\.certificateWarningDays: /)]);
    expect(
      await problems({ sp: { relayStateParameter: null }, idp: { type: 'pingfederate', host: 'pf' } }),
    ).toEqual([]);
  });
});
