/**
 * `aquera-provisioner test-connection`: a clear yes or no for the target and the directory, step
 * by step, with what failed.
 *
 * @module
 */
import type { ConnectionCheck, ConnectionReport } from '../../client/test-connection';
import type { TestConnectionArguments } from '../args';
import { ExitCode, type ExitCodeValue } from '../exit-codes';
import { formatSeconds } from '../output/progress';
import type { Style } from '../output/style';
import { renderTable } from '../output/table';
import type { Runtime } from '../runtime';
import type { CommandContext } from './context';
import { prepare } from './prepare';

/** One check of the directory. */
export interface DirectoryCheck {
  readonly name: 'connect' | 'users' | 'groups';
  readonly ok: boolean;
  readonly skipped?: boolean;
  readonly detail: string;
  /** @unit milliseconds */
  readonly durationMs: number;
}

/** The directory's checks. */
export interface DirectoryReport {
  readonly ok: boolean;
  readonly urls: readonly string[];
  readonly checks: readonly DirectoryCheck[];
}

/** Runs `test-connection`: 0 when every check passed, 2 otherwise. */
export async function runTestConnection(
  args: TestConnectionArguments,
  context: CommandContext,
): Promise<ExitCodeValue> {
  const runtime = await prepare(args.config, context);
  try {
    const [target, directory] = await Promise.all([
      runtime.client.testConnection(),
      testDirectory(runtime, context.now),
    ]);
    const ok = target.ok && directory.ok;
    const exitCode = ok ? ExitCode.ok : ExitCode.configOrConnection;
    if (args.json) {
      context.out.json({ ok, exitCode, target, directory });
    } else {
      context.out.write(renderConnection(target, directory, context.outStyle));
    }
    return exitCode;
  } finally {
    await runtime.close({ saveState: false });
  }
}

/** Connects and binds, then lists the ids in scope (which checks base DNs, filters and rights). */
export async function testDirectory(runtime: Runtime, now: () => number): Promise<DirectoryReport> {
  const { source } = runtime.config;
  const urls = typeof source.urls === 'string' ? [source.urls] : [...source.urls];
  const checks: DirectoryCheck[] = [];
  let started = now();
  try {
    const info = await runtime.datastore.connect();
    const who = source.bindDn === undefined || source.bindDn === '' ? 'anonymously' : `as ${source.bindDn}`;
    const kind = `${info.directory === 'active-directory' ? 'Active Directory' : 'LDAPv3'} (${info.detected ? 'detected' : 'configured'})`;
    checks.push({
      name: 'connect',
      ok: true,
      detail: `bound ${who} to ${info.url}: ${kind}${info.supportsPaging ? ', paged results supported' : ', NO paged results control'}`,
      durationMs: now() - started,
    });
  } catch (error) {
    checks.push({ name: 'connect', ok: false, detail: messageOf(error), durationMs: now() - started });
    checks.push({ name: 'users', ok: false, skipped: true, detail: 'not run: no connection', durationMs: 0 });
    checks.push({
      name: 'groups',
      ok: false,
      skipped: true,
      detail: 'not run: no connection',
      durationMs: 0,
    });
    return { ok: false, urls, checks };
  }
  started = now();
  try {
    const ids = await runtime.datastore.ids();
    const elapsed = now() - started;
    const users = ids.users.size;
    checks.push({
      name: 'users',
      ok: users > 0,
      detail:
        users > 0
          ? `${users} in scope under ${source.users.baseDn}`
          : `none in scope under ${source.users.baseDn}: check source.users (baseDn, filter, groupDn) and the account's read rights`,
      durationMs: elapsed,
    });
    checks.push(
      source.groups === undefined
        ? {
            name: 'groups',
            ok: true,
            skipped: true,
            detail: 'no source.groups: groups are not provisioned',
            durationMs: 0,
          }
        : {
            name: 'groups',
            ok: true,
            detail: `${ids.groups.size} in scope under ${source.groups.baseDn}`,
            durationMs: 0,
          },
    );
  } catch (error) {
    const detail = messageOf(error);
    checks.push({ name: 'users', ok: false, detail, durationMs: now() - started });
    checks.push({
      name: 'groups',
      ok: false,
      skipped: true,
      detail: 'not run: the search failed',
      durationMs: 0,
    });
  }
  return { ok: checks.every((check) => check.ok), urls, checks };
}

/** Both reports as text. */
export function renderConnection(target: ConnectionReport, directory: DirectoryReport, style: Style): string {
  const rows = (checks: readonly (ConnectionCheck | DirectoryCheck)[]) =>
    renderTable(
      checks.map((check) => [
        check.skipped === true ? style.dim('-') : check.ok ? style.ok : style.fail,
        check.name,
        check.skipped === true ? style.dim(check.detail) : check.ok ? check.detail : style.red(check.detail),
        check.skipped === true ? '' : style.dim(formatSeconds(check.durationMs)),
      ]),
    ).trimEnd();
  const lines = [
    `${style.bold('Target')}     ${target.baseUrl}`,
    rows(target.checks),
    '',
    `${style.bold('Directory')}  ${directory.urls.join(', ')}`,
    rows(directory.checks),
    '',
  ];
  const failed = (checks: readonly (ConnectionCheck | DirectoryCheck)[]) =>
    checks.find((check) => !check.ok && check.skipped !== true);
  const targetFailure = failed(target.checks);
  const directoryFailure = failed(directory.checks);
  if (targetFailure === undefined && directoryFailure === undefined) {
    lines.push(`${style.ok} Both the target and the directory work.`);
  } else {
    if (targetFailure !== undefined)
      lines.push(`${style.fail} The target failed at "${targetFailure.name}".`);
    if (directoryFailure !== undefined)
      lines.push(`${style.fail} The directory failed at "${directoryFailure.name}".`);
  }
  return `${lines.join('\n')}\n`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
