/**
 * Telling the demo: what each sync did to whom, in a few lines with examples, and what it cost in
 * requests.
 *
 * @module
 */
import type { ObjectOperationEvent } from '../../engine/events';
import type { ProvisioningEngine } from '../../engine/ProvisioningEngine';
import type { ScimTestServerStats } from '../../testing/stats';
import type { Style } from '../output/style';
import { renderTable } from '../output/table';
import type { DemoDirectory } from './directory';

/** One operation seen during a sync. */
export interface SeenOperation {
  readonly kind: 'user' | 'group';
  readonly event: ObjectOperationEvent;
}

/** Records the engine's object operations while attached. */
export class OperationRecorder {
  readonly operations: SeenOperation[] = [];
  #detach: (() => void) | undefined;

  /** Starts recording `engine`'s operations. */
  attach(engine: ProvisioningEngine): void {
    const onUser = (event: ObjectOperationEvent) => this.operations.push({ kind: 'user', event });
    const onGroup = (event: ObjectOperationEvent) => this.operations.push({ kind: 'group', event });
    engine.on('userOperation', onUser);
    engine.on('groupOperation', onGroup);
    this.#detach = () => {
      engine.off('userOperation', onUser);
      engine.off('groupOperation', onGroup);
    };
  }

  /** Stops recording. */
  detach(): void {
    this.#detach?.();
    this.#detach = undefined;
  }
}

/** What the demo knows of a directory entry, by its entryUUID (the engine's source id). */
export interface EntryFacts {
  readonly name: string;
  readonly description: string;
}

/** Names and short descriptions of every person and group, by entryUUID. */
export function directoryFacts(directory: DemoDirectory): Map<string, EntryFacts> {
  const facts = new Map<string, EntryFacts>();
  for (const entry of directory.find(() => true)) {
    const id = entry.attributes.entryUUID?.[0];
    if (id === undefined) continue;
    const value = (name: string) => entry.attributes[name]?.[0] ?? '';
    const classes = entry.attributes.objectClass ?? [];
    if (classes.includes('inetOrgPerson')) {
      facts.set(id, {
        name: value('uid'),
        description: `${value('displayName')}, ${value('title')} (${value('ou')})`,
      });
    } else if (classes.includes('groupOfNames')) {
      const members = entry.attributes.member ?? [];
      const groups = members.filter((dn) => dn.toLowerCase().includes(',ou=groups,')).length;
      const people = members.length - groups;
      const parts = [
        people > 0 ? `${people} ${people === 1 ? 'person' : 'people'}` : undefined,
        groups > 0 ? `${groups} nested ${groups === 1 ? 'group' : 'groups'}` : undefined,
      ].filter((part) => part !== undefined);
      facts.set(id, { name: value('cn'), description: parts.join(' and ') });
    }
  }
  return facts;
}

const SYMBOLS: Readonly<Record<string, string>> = {
  create: '+',
  link: '=',
  update: '~',
  rename: '~',
  enable: '+',
  disable: '-',
  delete: '-',
  members: '±',
};

const VERBS: Readonly<Record<string, string>> = {
  create: 'created',
  link: 'linked',
  update: 'updated',
  rename: 'renamed',
  enable: 're-enabled',
  disable: 'disabled',
  delete: 'deleted',
};

/** Lines for some operations: symbol, kind, name, what happened. */
export function operationLines(
  operations: readonly SeenOperation[],
  facts: ReadonlyMap<string, EntryFacts>,
  style: Style,
  options: { readonly describe: 'who' | 'what'; readonly indent?: number },
): string {
  const rows = operations.map(({ kind, event }) => {
    const fact = facts.get(event.sourceId);
    const name = fact?.name ?? nameIn(event) ?? event.sourceId;
    let what: string;
    if (event.op === 'members') {
      const added = listLength(event.after?.added);
      const removed = listLength(event.after?.removed);
      what = [
        added > 0 ? `+${added} ${added === 1 ? 'member' : 'members'}` : undefined,
        removed > 0 ? `−${removed} ${removed === 1 ? 'member' : 'members'}` : undefined,
      ]
        .filter((part) => part !== undefined)
        .join(', ');
    } else if (options.describe === 'who') {
      what = fact?.description ?? '';
    } else {
      const changed = event.op === 'update' ? changedAttributes(event.before, event.after) : [];
      what = `${VERBS[event.op] ?? event.op}${changed.length > 0 ? `: ${changed.join(', ')}` : ''}`;
    }
    const symbol = SYMBOLS[event.op] ?? '·';
    const coloured =
      symbol === '+' ? style.green(symbol) : symbol === '-' ? style.red(symbol) : style.yellow(symbol);
    return [coloured, kind, name, style.dim(what)];
  });
  return renderTable(rows, { indent: options.indent ?? 5 });
}

const IGNORED = new Set(['schemas', 'id', 'meta', 'groups', 'active']);

/**
 * The attributes that differ between what the target had and what was written: top-level names,
 * and the attribute names inside schema extensions (`department`, not the extension URN).
 */
export function changedAttributes(
  before: Readonly<Record<string, unknown>> | undefined,
  after: Readonly<Record<string, unknown>> | undefined,
): string[] {
  if (before === undefined || after === undefined) return [];
  const changed: string[] = [];
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (IGNORED.has(key)) continue;
    const left = before[key];
    const right = after[key];
    if (key.startsWith('urn:') && isRecord(left) && isRecord(right)) {
      changed.push(...changedAttributes(left, right));
    } else if (key.startsWith('urn:') && (isRecord(left) || isRecord(right))) {
      changed.push(...Object.keys(isRecord(left) ? left : isRecord(right) ? right : {}));
    } else if (JSON.stringify(left ?? null) !== JSON.stringify(right ?? null)) {
      changed.push(key);
    }
  }
  return changed;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nameIn(event: ObjectOperationEvent): string | undefined {
  const name = event.after?.userName ?? event.after?.displayName ?? event.before?.userName;
  return typeof name === 'string' ? name : undefined;
}

function listLength(value: unknown): number {
  return Array.isArray(value) ? value.length : 0;
}

/** `289 requests: 249 POST /Users, 34 POST /Groups, 4 PATCH /Groups/:id, 2 others`. */
export function describeRequests(before: ScimTestServerStats, after: ScimTestServerStats): string {
  const counts: Array<[string, number]> = [];
  for (const [route, count] of Object.entries(after.byRoute)) {
    const delta = count - (before.byRoute[route] ?? 0);
    if (delta > 0) counts.push([route, delta]);
  }
  counts.sort((left, right) => right[1] - left[1] || left[0].localeCompare(right[0]));
  const total = counts.reduce((sum, [, count]) => sum + count, 0);
  const shown = counts.slice(0, 4).map(([route, count]) => `${count} ${route}`);
  const others = counts.slice(4).reduce((sum, [, count]) => sum + count, 0);
  if (others > 0) shown.push(`${others} other`);
  return `${total} ${total === 1 ? 'request' : 'requests'}${shown.length > 0 ? ` (${shown.join(', ')})` : ''}`;
}
