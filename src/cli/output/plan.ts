/**
 * A provisioning plan for people (a table of operations, with what is skipped, held and failing)
 * and for machines (JSON without the target resources the plan carries).
 *
 * @module
 */
import type { GroupOperation, ProvisioningPlan, RemovalReason, UserOperation } from '../../engine/operations';
import { errorToJson } from './report';
import type { Style } from './style';
import { renderTable } from './table';

/** How many operations of each kind the table lists before "and N more". */
const LISTED = 100;
/** More operations than this of one kind and reason are shown as one line with a few names. */
const GROUPED_ABOVE = 8;
/** How many names such a line shows. */
const NAMES_SHOWN = 3;

const REMOVAL_REASONS: Readonly<Record<RemovalReason, string>> = {
  disabled: 'disabled in the directory',
  removed: 'gone from the directory, or out of scope',
  deprovisionAll: 'deprovisioning everything',
};

/** One row of the plan: the operation, the object's name, and why. */
export interface PlanRow {
  readonly kind: 'user' | 'group';
  readonly op: string;
  readonly name: string;
  readonly detail: string;
}

/** A user operation as a row. */
export function userRow(operation: UserOperation): PlanRow {
  const row = (detail: string): PlanRow => ({
    kind: 'user',
    op: operation.op,
    name: operation.userName,
    detail,
  });
  switch (operation.op) {
    case 'create':
      return row(
        `${operation.reason === 'new' ? 'new' : 'missing in the target: re-create'}${operation.active ? '' : ' (inactive)'}`,
      );
    case 'link':
      return row(`exists in the target (${operation.targetId})${operation.write ? ', to update' : ''}`);
    case 'update':
      return row(operation.reason === 'changed' ? 'attributes changed' : 'changed in the target: restore');
    case 'enable':
      return row('active again');
    case 'disable':
    case 'delete':
      return row(REMOVAL_REASONS[operation.reason]);
  }
}

/** A group operation as a row. */
export function groupRow(operation: GroupOperation): PlanRow {
  const row = (detail: string): PlanRow => ({
    kind: 'group',
    op: operation.op,
    name: operation.displayName,
    detail,
  });
  switch (operation.op) {
    case 'create':
      return row(`new, ${operation.members.length} ${operation.members.length === 1 ? 'member' : 'members'}`);
    case 'link':
      return row(`exists in the target (${operation.targetId})`);
    case 'rename':
      return row(`renamed from "${operation.from}"`);
    case 'update':
      return row(operation.reason === 'changed' ? 'attributes changed' : 'changed in the target: restore');
    case 'members':
      return row(
        operation.current === 'read'
          ? `set to ${operation.wanted.length} members`
          : memberChange(operation.add.length, operation.remove.length),
      );
    case 'delete':
      return row(REMOVAL_REASONS[operation.reason]);
  }
}

/** `+3 members`, `−2 members`, `+3 −2 members`. */
function memberChange(added: number, removed: number): string {
  const parts = [added > 0 ? `+${added}` : undefined, removed > 0 ? `−${removed}` : undefined].filter(
    (part) => part !== undefined,
  );
  const total = added + removed;
  return `${parts.join(' ')} ${total === 1 ? 'member' : 'members'}`;
}

/**
 * The plan as text.
 *
 * @example
 * ```ts
 * io.stdout.write(renderPlan(await engine.plan(), style));
 * ```
 */
export function renderPlan(plan: ProvisioningPlan, style: Style): string {
  const lines: string[] = [];
  const count = plan.users.length + plan.groups.length;
  lines.push(
    `${style.bold('Plan')} (${plan.mode} cycle): ${count === 0 ? 'nothing to do' : `${count} ${count === 1 ? 'operation' : 'operations'}`}. Nothing was written.`,
  );
  const section = (title: string, rows: readonly PlanRow[]) => {
    if (rows.length === 0) return;
    lines.push('', `${style.bold(title)} (${rows.length})`);
    const table: string[][] = [];
    let grouped = false;
    for (const same of groupRows(rows)) {
      const [first] = same;
      if (first === undefined) continue;
      if (same.length > GROUPED_ABOVE) {
        grouped = true;
        const names = same.slice(0, NAMES_SHOWN).map((row) => row.name);
        table.push([
          opLabel(first.op, style),
          `${same.length} ${first.kind}s`,
          style.dim(`${first.detail}: ${names.join(', ')}, …`),
        ]);
      } else {
        for (const row of same) table.push([opLabel(row.op, style), row.name, style.dim(row.detail)]);
      }
    }
    lines.push(renderTable(table.slice(0, LISTED)).trimEnd());
    if (table.length > LISTED) lines.push(`  … and ${table.length - LISTED} more lines`);
    if (grouped || table.length > LISTED) lines.push(style.dim('  (plan --json lists every operation)'));
  };
  section('Users', plan.users.map(userRow));
  section('Groups', plan.groups.map(groupRow));
  if (plan.skipped.length > 0) {
    lines.push('', `${style.bold('Skipped')} (${plan.skipped.length}): turned off in the configuration`);
    const rows = plan.skipped
      .slice(0, LISTED)
      .map((skipped) => [skipped.op, `${skipped.kind} ${skipped.sourceId}`, style.dim(skipped.because)]);
    lines.push(renderTable(rows).trimEnd());
  }
  if (plan.held !== undefined) {
    lines.push(
      '',
      `${style.warn} ${style.yellow(`${plan.held.count} removals would be held`)} (limit ${plan.held.limit}): run sync --allow-removals to apply them, or plan --allow-removals to list them.`,
    );
  }
  if (plan.failures.length > 0) {
    lines.push(
      '',
      `${style.fail} ${plan.failures.length} ${plan.failures.length === 1 ? 'object' : 'objects'} cannot be planned:`,
    );
    for (const failure of plan.failures.slice(0, LISTED)) {
      lines.push(`    ${failure.kind} ${failure.sourceId}: ${failure.error.message}`);
    }
  }
  for (const warning of plan.warnings.slice(0, LISTED)) lines.push(`${style.warn} ${warning.message}`);
  lines.push('', style.dim(`Unchanged: ${plan.unchanged.users} users, ${plan.unchanged.groups} groups.`));
  return `${lines.join('\n')}\n`;
}

/** Rows grouped by operation and reason, in the order each group first appears. */
function groupRows(rows: readonly PlanRow[]): PlanRow[][] {
  const groups = new Map<string, PlanRow[]>();
  for (const row of rows) {
    const key = `${row.op}\u0000${row.detail}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [row]);
    else group.push(row);
  }
  return [...groups.values()];
}

function opLabel(op: string, style: Style): string {
  const padded = op.padEnd(7);
  if (op === 'create' || op === 'enable') return style.green(padded);
  if (op === 'disable' || op === 'delete') return style.red(padded);
  if (op === 'members' || op === 'rename' || op === 'update') return style.yellow(padded);
  return padded;
}

/**
 * The plan as JSON: each operation with its source id, target id, name and reason; the target
 * resources the planner read (`existing`, `current`) are left out.
 */
export function planToJson(plan: ProvisioningPlan): Record<string, unknown> {
  return {
    mode: plan.mode,
    users: plan.users.map((operation) => {
      const { existing, current, ...rest } = operation as UserOperation & {
        existing?: unknown;
        current?: unknown;
      };
      void existing;
      void current;
      return { ...rest, summary: userRow(operation).detail };
    }),
    groups: plan.groups.map((operation) => {
      const { existing, ...rest } = operation as GroupOperation & { existing?: unknown };
      void existing;
      return { ...rest, summary: groupRow(operation).detail };
    }),
    skipped: plan.skipped,
    held: plan.held ?? null,
    failures: plan.failures.map((failure) => ({
      kind: failure.kind,
      sourceId: failure.sourceId,
      error: errorToJson(failure.error),
    })),
    unchanged: plan.unchanged,
    warnings: plan.warnings,
  };
}
