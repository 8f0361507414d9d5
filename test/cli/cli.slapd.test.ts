/**
 * The command line end to end: a throwaway slapd seeded with the demo company -> the CLI (in
 * process, with captured streams and its own environment; and once as the built executable) ->
 * ScimTestServer. Each case has its own SCIM server and scratch folder (state file, logs).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'tsup';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli';
import { parseLdif } from '../../src/cli/demo/ldif';
import { ScimTestServer } from '../../src/testing/ScimTestServer';
import type { ScimTestServerStats } from '../../src/testing/stats';
import { findFreePort } from '../support/ldap/processes';
import { type SlapdHandle, startSlapd } from '../support/ldap/slapd';
import {
  captureIo,
  DEMO_LDIF_FILE,
  DEMO_SUFFIX,
  type DemoCounts,
  demoCounts,
  demoLdifForSlapd,
  REPO_ROOT,
  scratchFolder,
  writeConfig,
} from './helpers';

const TOKEN = `cli-token-${randomBytes(12).toString('hex')}`;

let slapd: SlapdHandle;
let counts: DemoCounts;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  slapd = await startSlapd({ suffix: DEMO_SUFFIX, seedLdif: demoLdifForSlapd() });
  counts = demoCounts();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await slapd?.stop();
});

/** A SCIM server and a scratch folder for one case, torn down after it. */
async function stage(): Promise<{ server: ScimTestServer; dir: string }> {
  const server = await ScimTestServer.start({ auth: { type: 'bearer', token: TOKEN } });
  const scratch = await scratchFolder('e2e');
  cleanups.push(() => server.close(), scratch.remove);
  return { server, dir: scratch.dir };
}

/** A configuration for `server` and the slapd, secrets from the environment. */
function configFor(server: ScimTestServer, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    target: { type: 'aquera', url: server.baseUrl, auth: { type: 'bearer', token: { env: 'AQUERA_TOKEN' } } },
    source: {
      directory: 'ldapv3',
      urls: slapd.url,
      bindDn: slapd.readerDn,
      bindPassword: { env: 'LDAP_PASSWORD' },
      users: { baseDn: `ou=people,${DEMO_SUFFIX}` },
      groups: { baseDn: `ou=groups,${DEMO_SUFFIX}` },
    },
    ...overrides,
  };
}

function environment(overrides: Record<string, string> = {}): Record<string, string> {
  return { AQUERA_TOKEN: TOKEN, LDAP_PASSWORD: slapd.readerPassword, ...overrides };
}

function writes(stats: ScimTestServerStats): number {
  return ['POST', 'PUT', 'PATCH', 'DELETE'].reduce((sum, method) => sum + (stats.byMethod[method] ?? 0), 0);
}

function expectNoSecrets(text: string, secrets: readonly string[] = [TOKEN, slapd.readerPassword]): void {
  for (const secret of secrets) expect(text).not.toContain(secret);
  // The Basic/Bearer header form of the token either.
  expect(text).not.toMatch(/Bearer\s+cli-token/);
}

describe('sync', () => {
  it('provisions the directory, prints a summary, and keeps secrets out of the output and the log file', async () => {
    const { server, dir } = await stage();
    const config = await writeConfig(dir, 'provisioner.json', configFor(server));
    const logFile = path.join(dir, 'operations.jsonl');
    const io = captureIo({ env: environment(), cwd: dir });

    const code = await runCli(['sync', '--config', 'provisioner.json', '--log-file', 'operations.jsonl'], io);

    expect(code, io.allText()).toBe(0);
    expect(server.counts()).toEqual({ users: counts.people - counts.disabled, groups: counts.groups });
    expect(io.stdoutText()).toContain('Sync finished');
    expect(io.stdoutText()).toMatch(
      new RegExp(`created\\s+${counts.people - counts.disabled}\\s+${counts.groups}`),
    );
    expect(io.stdoutText()).toContain('No failures');
    expect(existsSync(path.join(dir, 'provisioner.state.json'))).toBe(true);

    const log = await readFile(logFile, 'utf8');
    const records = log
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const userCreates = records.filter(
      (record) => record.event === 'operation' && record.kind === 'user' && record.op === 'create',
    );
    expect(userCreates).toHaveLength(counts.people - counts.disabled);
    expect(records.at(-1)).toMatchObject({ event: 'cycleEnd', failures: 0 });
    for (const text of [io.allText(), log]) expectNoSecrets(text);

    // The next cycle is incremental and, with nothing changed, writes nothing.
    server.resetStats();
    const again = captureIo({ env: environment(), cwd: dir });
    expect(await runCli(['sync', '--config', config], again), again.allText()).toBe(0);
    expect(again.stdoutText()).toContain('incremental cycle');
    expect(writes(server.stats())).toBe(0);
  });

  it('--dry-run plans and counts but writes nothing, neither to the target nor to the state', async () => {
    const { server, dir } = await stage();
    const config = await writeConfig(dir, 'dry.json', configFor(server));
    const io = captureIo({ env: environment(), cwd: dir });

    const code = await runCli(['sync', '--config', config, '--dry-run', '--json'], io);

    expect(code, io.allText()).toBe(0);
    const output = JSON.parse(io.stdoutText()) as { report: { dryRun: boolean; users: { created: number } } };
    expect(output.report.dryRun).toBe(true);
    expect(output.report.users.created).toBe(counts.people - counts.disabled);
    expect(server.counts()).toEqual({ users: 0, groups: 0 });
    expect(writes(server.stats())).toBe(0);
    expect(existsSync(path.join(dir, 'dry.state.json'))).toBe(false);
  });

  it('holds removals past the deletion threshold (exit 3) until --allow-removals', async () => {
    const { server, dir } = await stage();
    const state = { file: path.join(dir, 'shared.state.json') };
    const everyone = await writeConfig(dir, 'everyone.json', configFor(server, { state }));
    const engineeringOnly = configFor(server, { state });
    (engineeringOnly.source as { users: Record<string, unknown> }).users = {
      baseDn: `ou=people,${DEMO_SUFFIX}`,
      filter: '(ou=Engineering)',
    };
    const narrowed = await writeConfig(dir, 'engineering.json', engineeringOnly);
    expect(await runCli(['sync', '--config', everyone], captureIo({ env: environment() }))).toBe(0);

    const held = captureIo({ env: environment() });
    expect(await runCli(['sync', '--config', narrowed], held), held.allText()).toBe(3);
    expect(held.stdoutText()).toContain('removals held');
    expect(held.stdoutText()).toContain('--allow-removals');
    expect(server.snapshot().users.every((user) => user.active !== false)).toBe(true);

    const records = parseLdif(await readFile(DEMO_LDIF_FILE, 'utf8'));
    const leaving = records.filter(
      (record) =>
        (record.attributes.get('objectClass') ?? []).includes('inetOrgPerson') &&
        !record.attributes.has('pwdAccountLockedTime') &&
        record.attributes.get('ou')?.[0] !== 'Engineering',
    ).length;
    const allowed = captureIo({ env: environment() });
    expect(
      await runCli(['sync', '--config', narrowed, '--allow-removals', '--json'], allowed),
      allowed.allText(),
    ).toBe(0);
    const report = (JSON.parse(allowed.stdoutText()) as { report: { users: { disabled: number } } }).report;
    expect(report.users.disabled).toBe(leaving);
    expect(server.snapshot().users.filter((user) => user.active === false)).toHaveLength(leaving);
  });
});

describe('plan', () => {
  it('--json lists the operations a sync would make, and writes nothing', async () => {
    const { server, dir } = await stage();
    const config = await writeConfig(dir, 'plan.json', configFor(server));
    expect(await runCli(['sync', '--config', config], captureIo({ env: environment() }))).toBe(0);
    const [person] = await slapd.search(
      `ou=people,${DEMO_SUFFIX}`,
      '(&(ou=Legal)(!(pwdAccountLockedTime=*)))',
      ['uid', 'title'],
    );
    const uid = person?.attributes.uid?.[0];
    if (person === undefined || uid === undefined) throw new Error('the demo LDIF has no one in Legal');
    const newTitle = `Title ${randomBytes(4).toString('hex')}`;
    await slapd.modify(`dn: ${person.dn}\nchangetype: modify\nreplace: title\ntitle: ${newTitle}\n`);
    server.resetStats();

    const stateFile = path.join(dir, 'plan.state.json');
    const stateBefore = await readFile(stateFile, 'utf8');
    const io = captureIo({ env: environment() });
    expect(await runCli(['plan', '--config', config, '--json'], io), io.allText()).toBe(0);

    const output = JSON.parse(io.stdoutText()) as {
      plan: {
        mode: string;
        users: Array<{ op: string; userName: string; reason: string }>;
        groups: unknown[];
      };
    };
    expect(output.plan.mode).toBe('incremental');
    expect(output.plan.users).toEqual([
      expect.objectContaining({ op: 'update', userName: uid, reason: 'changed' }),
    ]);
    expect(output.plan.groups).toEqual([]);
    expect(writes(server.stats())).toBe(0);

    const table = captureIo({ env: environment() });
    expect(await runCli(['plan', '--config', config], table)).toBe(0);
    expect(table.stdoutText()).toMatch(
      new RegExp(`update\\s+${uid.replace('.', '\\.')}\\s+attributes changed`),
    );

    // Neither plan nor a dry run touches the state file; a dry run counts the same update.
    const dry = captureIo({ env: environment() });
    expect(await runCli(['sync', '--config', config, '--dry-run', '--json'], dry)).toBe(0);
    expect(
      (JSON.parse(dry.stdoutText()) as { report: { users: { updated: number } } }).report.users.updated,
    ).toBe(1);
    expect(await readFile(stateFile, 'utf8')).toBe(stateBefore);
    expect(writes(server.stats())).toBe(0);
  });
});

describe('test-connection', () => {
  it('says yes for a working set-up, and names the failing step otherwise (exit 2)', async () => {
    const { server, dir } = await stage();
    const good = await writeConfig(dir, 'good.json', configFor(server));
    const io = captureIo({ env: environment() });
    expect(await runCli(['test-connection', '--config', good], io), io.allText()).toBe(0);
    expect(io.stdoutText()).toContain('Both the target and the directory work');
    expect(io.stdoutText()).toContain(`${counts.people} in scope`);

    const refused = captureIo({ env: environment({ AQUERA_TOKEN: 'not-the-right-token' }) });
    expect(await runCli(['test-connection', '--config', good, '--json'], refused)).toBe(2);
    const report = JSON.parse(refused.stdoutText()) as {
      target: { ok: boolean; checks: Array<{ name: string; ok: boolean }> };
      directory: { ok: boolean };
    };
    expect(report.target.ok).toBe(false);
    expect(report.target.checks.find((check) => !check.ok)?.name).toBe('auth');
    expect(report.directory.ok).toBe(true);
    expectNoSecrets(refused.allText(), ['not-the-right-token', slapd.readerPassword]);
  });
});

describe('failures before any work', () => {
  it('a bad configuration: exit 2, each field named, nothing contacted', async () => {
    const { server, dir } = await stage();
    const broken = configFor(server);
    (broken.source as Record<string, unknown>).users = { baseDN: `ou=people,${DEMO_SUFFIX}` };
    (broken.target as Record<string, unknown>).timeout = 'soon';
    const config = await writeConfig(dir, 'broken.json', broken);
    const io = captureIo({ env: environment() });

    expect(await runCli(['sync', '--config', config], io)).toBe(2);

    const text = io.stderrText();
    expect(text).toContain('source.users.baseDn: is required');
    expect(text).toContain('source.users.baseDN: is not a known field; did you mean "baseDn"?');
    expect(text).toContain('target.timeout: expected a number of milliseconds');
    expect(server.stats().totalRequests).toBe(0);
  });

  it('a secret whose environment variable is missing: exit 2, the variable named', async () => {
    const { server, dir } = await stage();
    const config = await writeConfig(dir, 'noenv.json', configFor(server));
    const io = captureIo({ env: { AQUERA_TOKEN: TOKEN } });
    expect(await runCli(['sync', '--config', config], io)).toBe(2);
    expect(io.stderrText()).toContain(
      'source.bindPassword: the environment variable LDAP_PASSWORD is not set',
    );
  });

  it('a wrong LDAP password: exit 2, the password never printed', async () => {
    const { server, dir } = await stage();
    const config = await writeConfig(dir, 'wrong.json', configFor(server));
    const wrong = `wrong-${randomBytes(9).toString('hex')}`;
    const io = captureIo({ env: environment({ LDAP_PASSWORD: wrong }) });

    expect(await runCli(['sync', '--config', config], io)).toBe(2);

    expect(io.stderrText()).toContain('The directory refused the bind');
    expect(io.stderrText()).toContain(slapd.readerDn);
    expectNoSecrets(io.allText(), [wrong, TOKEN]);
    expect(writes(server.stats())).toBe(0);
  });

  it('an unreachable target: exit 2, nothing recorded as done', async () => {
    const { server, dir } = await stage();
    const port = await findFreePort();
    const unreachable = configFor(server);
    (unreachable.target as Record<string, unknown>).url = `http://127.0.0.1:${port}/scim/v2`;
    (unreachable.target as Record<string, unknown>).retries = 1;
    const config = await writeConfig(dir, 'unreachable.json', unreachable);
    const io = captureIo({ env: environment() });

    expect(await runCli(['sync', '--config', config], io)).toBe(2);

    expect(io.stderrText()).toContain('The target cannot be used');
    expect(io.stderrText()).toContain('target.url');
    expectNoSecrets(io.allText());

    const json = captureIo({ env: environment() });
    expect(await runCli(['sync', '--config', config, '--json'], json)).toBe(2);
    expect(JSON.parse(json.stdoutText())).toMatchObject({
      ok: false,
      exitCode: 2,
      error: { headline: 'The target cannot be used.' },
    });
  });
});

describe('watch', () => {
  it('runs a cycle, another after the interval, and stops on SIGINT with the state saved', async () => {
    const { server, dir } = await stage();
    const config = await writeConfig(dir, 'watch.json', configFor(server));
    const io = captureIo({ env: environment(), cwd: dir });
    const cycles = () =>
      io
        .stdoutText()
        .split('\n')
        .filter((line) => line.startsWith('{')).length;

    const running = runCli(['watch', '--config', config, '--interval', '1s', '--json'], io);
    for (let attempt = 0; attempt < 400 && cycles() < 2; attempt++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    io.signal('SIGINT');
    const code = await running;

    expect(code, io.allText()).toBe(0);
    const reports = io
      .stdoutText()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { cycle: number; exitCode: number; report: { mode: string } });
    expect(reports.length).toBeGreaterThanOrEqual(2);
    expect(reports[0]).toMatchObject({ cycle: 1, exitCode: 0, report: { mode: 'full' } });
    expect(reports[1]).toMatchObject({ cycle: 2, exitCode: 0, report: { mode: 'incremental' } });
    expect(server.counts().users).toBe(counts.people - counts.disabled);
    expect(existsSync(path.join(dir, 'watch.state.json'))).toBe(true);
  });
});

describe('watch, stopped in the middle of a cycle', () => {
  /** A SCIM server whose creates are slow enough to signal during the first cycle. */
  async function slowStage() {
    const server = await ScimTestServer.start({
      auth: { type: 'bearer', token: TOKEN },
      faults: { seed: 1, slow: { rate: 1, delayMs: 15, methods: ['POST'] } },
    });
    const scratch = await scratchFolder('watch');
    cleanups.push(() => server.close(), scratch.remove);
    const config = await writeConfig(scratch.dir, 'slow.json', configFor(server));
    return { server, config };
  }

  async function until(condition: () => boolean): Promise<void> {
    for (let attempt = 0; attempt < 600 && !condition(); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  it('on the first signal, finishes the cycle in flight, then stops', async () => {
    const { server, config } = await slowStage();
    const io = captureIo({ env: environment() });
    const running = runCli(['watch', '--config', config, '--interval', '1h'], io);
    await until(() => server.counts().users > 0);
    io.signal('SIGTERM');

    expect(await running, io.allText()).toBe(0);
    expect(server.counts().users).toBe(counts.people - counts.disabled);
    expect(io.stdoutText().match(/^cycle \d+/gm)).toEqual(['cycle 1']);
    expect(io.stderrText()).toContain('SIGTERM: finishing the cycle in flight');
    expect(io.stderrText()).toContain('Stopped; the state is saved.');
  });

  it('on a second signal, stops at once; the next sync carries on without duplicates', async () => {
    const { server, config } = await slowStage();
    const io = captureIo({ env: environment() });
    const running = runCli(['watch', '--config', config, '--interval', '1h'], io);
    await until(() => server.counts().users > 0);
    io.signal('SIGINT');
    io.signal('SIGINT');

    expect(await running, io.allText()).toBe(0);
    expect(io.stderrText()).toContain('SIGINT: stopping now');
    const applied = server.counts().users;
    expect(applied).toBeLessThan(counts.people - counts.disabled);

    // Creates cut off in flight are found and linked, not posted twice (which would be a 409 failure).
    const next = captureIo({ env: environment() });
    expect(await runCli(['sync', '--config', config], next), next.allText()).toBe(0);
    expect(server.counts().users).toBe(counts.people - counts.disabled);
  });
});

describe('the built executable', () => {
  const outDir = path.join(REPO_ROOT, 'node_modules', '.cache', 'aquera-provisioner-cli-test');
  const bin = path.join(outDir, 'main.js');

  beforeAll(async () => {
    await build({
      entry: { main: path.join(REPO_ROOT, 'src/cli/main.ts') },
      format: ['esm'],
      outDir,
      config: false,
      dts: false,
      silent: true,
      platform: 'node',
      target: 'node20',
      splitting: false,
      sourcemap: false,
      clean: true,
    });
  });

  it('runs sync --json as a child process, with its exit code and secrets from the environment', async () => {
    const { server, dir } = await stage();
    const config = await writeConfig(dir, 'spawned.json', configFor(server));
    const run = promisify(execFile);
    const { stdout, stderr } = await run(process.execPath, [bin, 'sync', '--config', config, '--json'], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', ...environment() },
      timeout: 60_000,
    });
    const output = JSON.parse(stdout) as {
      ok: boolean;
      exitCode: number;
      report: { users: { created: number } };
    };
    expect(output).toMatchObject({ ok: true, exitCode: 0 });
    expect(output.report.users.created).toBe(counts.people - counts.disabled);
    expectNoSecrets(stdout + stderr);

    const failing = await run(process.execPath, [bin, 'sync', '--config', path.join(dir, 'missing.json')], {
      env: { PATH: process.env.PATH ?? '' },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );
    expect(failing.code).toBe(2);
    expect(failing.stderr).toContain('missing.json: a problem in the configuration');
    expect(failing.stderr).toContain('cannot read the file (ENOENT)');
  });
});
