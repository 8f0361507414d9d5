/**
 * A cycle's report for people (a summary table with failures, held removals and warnings) and for
 * machines (plain JSON), and the exit code it stands for.
 *
 * @module
 */
import type { OperationCounts, SyncReport } from '../../engine/report';
import { ExitCode, type ExitCodeValue } from '../exit-codes';
import { formatSeconds } from './progress';
import type { Style } from './style';
import { renderTable } from './table';

/** The exit code of a finished cycle: 1 with failures, else 3 with held removals, else 0. */
export function exitCodeOf(report: SyncReport): ExitCodeValue {
  if (report.failures.length > 0) return ExitCode.failures;
  if (report.held !== undefined) return ExitCode.removalsHeld;
  return ExitCode.ok;
}

/** An error as JSON: its name, message and, for HTTP errors, status and SCIM type. */
export function errorToJson(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const json: Record<string, unknown> = { name: error.name, message: error.message };
  const extra = error as Error & { status?: unknown; scimType?: unknown; code?: unknown };
  if (typeof extra.status === 'number') json.status = extra.status;
  if (typeof extra.scimType === 'string') json.scimType = extra.scimType;
  if (typeof extra.code === 'string') json.code = extra.code;
  return json;
}

/** The report as plain JSON (errors as `{ name, message, status? }`). */
export function reportToJson(report: SyncReport): Record<string, unknown> {
  return {
    mode: report.mode,
    dryRun: report.dryRun,
    startedAt: new Date(report.startedAt).toISOString(),
    finishedAt: new Date(report.finishedAt).toISOString(),
    durationMs: report.durationMs,
    users: report.users,
    groups: report.groups,
    failures: report.failures.map((failure) => ({
      kind: failure.kind,
      op: failure.op,
      sourceId: failure.sourceId,
      ...(failure.targetId === undefined ? {} : { targetId: failure.targetId }),
      error: errorToJson(failure.error),
    })),
    warnings: report.warnings,
    skipped: report.skipped,
    held: report.held ?? null,
    requests: report.requests ?? null,
    aborted: report.aborted ?? null,
    notAttempted: report.notAttempted,
    watermarkAdvanced: report.watermarkAdvanced,
  };
}

const ROWS: ReadonlyArray<{ key: keyof OperationCounts; label: string; users: boolean; groups: boolean }> = [
  { key: 'created', label: 'created', users: true, groups: true },
  { key: 'linked', label: 'linked to existing', users: true, groups: true },
  { key: 'updated', label: 'updated', users: true, groups: true },
  { key: 'renamed', label: 'renamed', users: false, groups: true },
  { key: 'enabled', label: 're-enabled', users: true, groups: false },
  { key: 'disabled', label: 'disabled', users: true, groups: false },
  { key: 'deleted', label: 'deleted', users: true, groups: true },
  { key: 'membersAdded', label: 'members added', users: false, groups: true },
  { key: 'membersRemoved', label: 'members removed', users: false, groups: true },
  { key: 'skipped', label: 'skipped (turned off)', users: true, groups: true },
  { key: 'unchanged', label: 'unchanged', users: true, groups: true },
  { key: 'failed', label: 'failed', users: true, groups: true },
];

/** How many failures and warnings the summary lists before "and N more". */
const LISTED = 10;

/**
 * The summary a person reads after a cycle: what was done (or, in a dry run, would be), failures,
 * held removals and warnings, and what to do about them.
 *
 * @example
 * ```ts
 * io.stdout.write(renderSummary(report, style));
 * ```
 */
export function renderSummary(
  report: SyncReport,
  style: Style,
  options: { readonly logFile?: string } = {},
): string {
  const lines: string[] = [];
  const requests =
    report.requests === undefined
      ? ''
      : `, ${report.requests} ${report.requests === 1 ? 'request' : 'requests'} to the target`;
  const title = report.dryRun
    ? `${style.bold('Dry run')} (${report.mode} cycle): nothing was written. A sync would do this:`
    : `${style.bold('Sync finished')}: ${report.mode} cycle in ${formatSeconds(report.durationMs)}${requests}.`;
  lines.push(title, '');

  const rows = ROWS.filter(
    (row) =>
      row.key === 'failed' ||
      (row.users && report.users[row.key] > 0) ||
      (row.groups && report.groups[row.key] > 0),
  );
  const cell = (applies: boolean, value: number, key: keyof OperationCounts) => {
    if (!applies) return style.dim('-');
    if (key === 'failed' && value > 0) return style.red(String(value));
    return value === 0 ? style.dim('0') : String(value);
  };
  lines.push(
    renderTable(
      [
        ['', style.dim('users'), style.dim('groups')],
        ...rows.map((row) => [
          row.label,
          cell(row.users, report.users[row.key], row.key),
          cell(row.groups, report.groups[row.key], row.key),
        ]),
      ],
      { align: ['left', 'right', 'right'] },
    ).trimEnd(),
  );

  if (report.aborted !== undefined) {
    lines.push(
      '',
      `${style.fail} The cycle stopped early: ${report.aborted.message} (${report.notAttempted} operations not attempted).`,
    );
  }
  if (report.failures.length > 0) {
    lines.push(
      '',
      `${style.fail} ${report.failures.length} ${report.failures.length === 1 ? 'operation' : 'operations'} failed (retried next cycle):`,
    );
    for (const failure of report.failures.slice(0, LISTED)) {
      const target = failure.targetId === undefined ? '' : ` -> ${failure.targetId}`;
      lines.push(`    ${failure.op} ${failure.kind} ${failure.sourceId}${target}: ${failure.error.message}`);
    }
    if (report.failures.length > LISTED) {
      const where =
        options.logFile === undefined
          ? 'use --json or --log-file for all of them'
          : `all of them are in ${options.logFile}`;
      lines.push(`    … and ${report.failures.length - LISTED} more (${where})`);
    }
  }
  if (report.held !== undefined) {
    const held = report.held;
    const why =
      held.because === 'emptySource'
        ? 'the directory returned no user at all while users are provisioned'
        : `that is more than the deletion threshold allows (${held.limit})`;
    lines.push(
      '',
      `${style.warn} ${style.yellow(`${held.count} removals held`)}: ${why}. Nobody was disabled or deleted.`,
      `    Check the directory and the configuration; if the removals are right, run again with --allow-removals.`,
    );
  }
  if (report.warnings.length > 0) {
    lines.push(
      '',
      `${style.warn} ${report.warnings.length} ${report.warnings.length === 1 ? 'warning' : 'warnings'}:`,
    );
    for (const warning of report.warnings.slice(0, LISTED)) lines.push(`    ${warning.message}`);
    if (report.warnings.length > LISTED) lines.push(`    … and ${report.warnings.length - LISTED} more`);
  }
  if (report.failures.length === 0 && report.held === undefined && report.aborted === undefined) {
    lines.push('', `${style.ok} ${report.dryRun ? 'Planned without errors.' : 'No failures.'}`);
  }
  return `${lines.join('\n')}\n`;
}
