/**
 * `aquera-provisioner demo`: a real sync on embedded services, told as a short story. An LDAP
 * directory in this process (seeded from examples/demo-company.ldif), a ScimTestServer as the
 * target, the same configuration path and engine as `sync`; nothing is written to disk.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MemoryStateStore } from '../../engine/state/MemoryStateStore';
import { ScimTestServer } from '../../testing/ScimTestServer';
import { resolveConfig } from '../config/load';
import { changeTheDirectory } from '../demo/changes';
import { DemoDirectory } from '../demo/directory';
import {
  describeRequests,
  directoryFacts,
  OperationRecorder,
  operationLines,
  type SeenOperation,
} from '../demo/story';
import { ExitCode, type ExitCodeValue } from '../exit-codes';
import { formatSeconds, ProgressReporter } from '../output/progress';
import { exitCodeOf } from '../output/report';
import { packageRoot } from '../package-info';
import { createRuntime, type Runtime } from '../runtime';
import type { CommandContext } from './context';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/** How many example operations each sync shows. */
const EXAMPLES = 4;

/** The demo's LDIF, shipped with the package. */
export function demoLdifPath(): string {
  return path.join(packageRoot(), 'examples', 'demo-company.ldif');
}

/**
 * Runs the demo: 0 when both syncs went through without failures.
 *
 * @throws Error when the LDIF cannot be read or a service cannot start.
 */
export async function runDemo(context: CommandContext): Promise<ExitCodeValue> {
  const { out, outStyle: style } = context;
  const ldifFile = demoLdifPath();
  const ldif = await readFile(ldifFile, 'utf8');
  const bindPassword = randomBytes(18).toString('base64url');
  const token = randomBytes(24).toString('base64url');
  context.redactor.add([bindPassword, token]);
  const suffix = 'dc=bluefin,dc=example';
  const bindDn = `cn=provisioner,${suffix}`;

  const directory = await DemoDirectory.start({ ldif, bindDn, bindPassword });
  let server: ScimTestServer | undefined;
  let runtime: Runtime | undefined;
  try {
    server = await ScimTestServer.start({ auth: { type: 'bearer', token } });
    const config = await resolveConfig(
      {
        target: {
          type: 'aquera',
          url: server.baseUrl,
          auth: { type: 'bearer', token: { env: 'DEMO_SCIM_TOKEN' } },
        },
        source: {
          directory: 'ldapv3',
          urls: directory.url,
          bindDn,
          bindPassword: { env: 'DEMO_LDAP_PASSWORD' },
          users: { baseDn: `ou=people,${directory.suffix}` },
          groups: { baseDn: `ou=groups,${directory.suffix}` },
        },
        mapping: { users: { [`${ENTERPRISE}:department`]: 'ou' } },
      },
      {
        env: { DEMO_SCIM_TOKEN: token, DEMO_LDAP_PASSWORD: bindPassword },
        baseDir: tmpdir(),
        label: 'the demo configuration',
      },
    );
    runtime = createRuntime(config, { state: new MemoryStateStore() });
    const { engine } = runtime;
    const progress = new ProgressReporter(context.io.stderr, {
      interactive: true,
      style: context.errStyle,
      redactor: context.redactor,
      now: context.now,
    });
    const showProgress = context.io.stderr.isTTY === true;
    if (showProgress) engine.on('progress', (event) => progress.update(event));
    let changedEntries = 0;
    engine.on('progress', (event) => {
      if (event.phase === 'read' && event.total > 0) changedEntries = event.total;
    });

    // --- the scene ---
    const people = directory.find((entry) => (entry.attributes.objectClass ?? []).includes('inetOrgPerson'));
    const groups = directory.find((entry) => (entry.attributes.objectClass ?? []).includes('groupOfNames'));
    const departments = new Set(people.map((entry) => entry.attributes.ou?.[0]));
    const disabled = people.filter((entry) => entry.attributes.pwdAccountLockedTime !== undefined).length;
    const nested = groups.filter((entry) =>
      (entry.attributes.member ?? []).some((dn) => /,ou=groups,/i.test(dn)),
    ).length;
    const organisation = directory.get(suffix)?.attributes.o?.[0] ?? 'the demo company';
    out.write(
      `${style.bold('aquera-provisioner demo')}\n\n` +
        `${style.bold('The scene')}\n` +
        `  Directory  ${directory.url}  an LDAP server in this process, loaded from\n` +
        `             ${path.relative(context.io.cwd, ldifFile) || ldifFile}\n` +
        `             ${organisation}: ${people.length} people in ${departments.size} departments (${disabled} accounts\n` +
        `             disabled), ${groups.length} groups (${nested} of them nest other groups)\n` +
        `  Target     ${server.baseUrl}  ScimTestServer, an in-memory SCIM 2.0\n` +
        `             service, in the role of your Aquera application\n`,
    );

    // --- first sync ---
    const facts = directoryFacts(directory);
    out.write(`\n${style.bold('1. The first sync')}: nothing is in the target yet, so everything is new.\n`);
    const first = await syncAndTell(runtime, server, progress, showProgress);
    const createdUsers = first.operations.filter(
      (operation) => operation.kind === 'user' && operation.event.op === 'create',
    );
    const createdGroups = first.operations.filter(
      (operation) => operation.kind === 'group' && operation.event.op === 'create',
    );
    out.write(
      `   ${first.report.users.created} users and ${first.report.groups.created} groups created, ` +
        `${first.report.groups.membersAdded} memberships added, ${disabled} locked accounts left out.\n` +
        `   For example:\n` +
        operationLines(
          [...pickSpread(createdUsers, EXAMPLES - 1), ...pickNamed(createdGroups, facts, ['Engineering'])],
          facts,
          style,
          {
            describe: 'who',
          },
        ) +
        `   ${formatSeconds(first.report.durationMs)}, ${first.requests}.\n`,
    );

    // --- changes ---
    out.write(`\n${style.bold('2. Meanwhile, in the directory')}\n`);
    const changes = changeTheDirectory(directory);
    for (const change of changes) out.write(`   • ${change.text}\n`);

    // --- second sync ---
    const afterFacts = directoryFacts(directory);
    for (const [id, fact] of facts) if (!afterFacts.has(id)) afterFacts.set(id, fact);
    out.write(
      `\n${style.bold('3. The next sync')}: incremental. The directory is asked only for what changed since the first one.\n`,
    );
    const second = await syncAndTell(runtime, server, progress, showProgress);
    const entriesNow = directory.find((entry) =>
      (entry.attributes.objectClass ?? []).some(
        (name) => name === 'inetOrgPerson' || name === 'groupOfNames',
      ),
    ).length;
    out.write(
      `   ${changedEntries} of ${entriesNow} entries read; ` +
        `${second.operations.length} ${second.operations.length === 1 ? 'operation' : 'operations'}:\n` +
        operationLines(second.operations, afterFacts, style, { describe: 'what' }) +
        `   ${formatSeconds(second.report.durationMs)}, ${second.requests}.\n`,
    );

    // --- the end ---
    const snapshot = server.snapshot();
    const active = snapshot.users.filter((user) => user.active !== false).length;
    const failures = first.report.failures.length + second.report.failures.length;
    out.write(
      `\n${failures === 0 ? style.ok : style.fail} The target now holds ${snapshot.users.length} users (${active} active, ` +
        `${snapshot.users.length - active} disabled) and ${snapshot.groups.length} groups` +
        `${failures === 0 ? ', in step with the directory.' : `; ${failures} operations failed.`}\n\n` +
        `Next: point it at your own directory and Aquera application, see docs/getting-started.md:\n` +
        `  aquera-provisioner test-connection --config provisioner.json\n` +
        `  aquera-provisioner plan --config provisioner.json\n` +
        `  aquera-provisioner sync --config provisioner.json\n`,
    );
    const worst = Math.max(exitCodeOf(first.report), exitCodeOf(second.report));
    return worst === 0 ? ExitCode.ok : ExitCode.failures;
  } finally {
    await runtime?.close();
    await server?.close();
    await directory.close();
  }
}

async function syncAndTell(
  runtime: Runtime,
  server: ScimTestServer,
  progress: ProgressReporter,
  showProgress: boolean,
) {
  const recorder = new OperationRecorder();
  recorder.attach(runtime.engine);
  const before = server.stats();
  try {
    const report = await runtime.engine.sync();
    if (showProgress) progress.end();
    return { report, operations: recorder.operations, requests: describeRequests(before, server.stats()) };
  } finally {
    recorder.detach();
  }
}

/** Up to `count` items spread over the list (the first, then evenly), for varied examples. */
function pickSpread<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  const step = items.length / count;
  return Array.from({ length: count }, (_, index) => items[Math.floor(index * step)] as T);
}

/** The operations on the groups with these names. */
function pickNamed(
  operations: readonly SeenOperation[],
  facts: ReadonlyMap<string, { readonly name: string }>,
  names: readonly string[],
): SeenOperation[] {
  return operations.filter((operation) => names.includes(facts.get(operation.event.sourceId)?.name ?? ''));
}
