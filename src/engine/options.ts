/**
 * The options of {@link ProvisioningEngine}, each documented with its default and, where the
 * product has one, PingFederate's name for the same setting; and the one function that checks
 * them and applies the defaults.
 *
 * @module
 */
import { resolve as resolvePath } from 'node:path';
import type { DatastoreAdapter } from '../datastore/types';
import { EngineOptionsError } from './errors/EngineOptionsError';
import { type CompiledMapping, compileMapping } from './mapping/compile';
import { DEFAULT_GROUP_MAPPING } from './mapping/defaults';
import type { ClearMode } from './mapping/merge';
import type { AttributeMapping } from './mapping/types';
import { parseUserMatch, type UserMatchRule } from './match';
import { FileStateStore } from './state/FileStateStore';
import type { StateStore } from './state/StateStore';
import { targetFingerprint } from './state/target';
import type { ProvisioningTarget } from './target';
import { configFingerprint } from './watermark';

/**
 * What happens to a provisioned user who is deleted in the source, disabled in it, or leaves the
 * scope (PingFederate: "Remove User Action").
 *
 * - `'disable'`: the target user is kept with `active: false` (and re-enabled if it comes back);
 * - `'delete'`: the target user is deleted.
 */
export type RemoveAction = 'disable' | 'delete';

/**
 * How many removals one cycle may make before it is held: a count (`50`), or a percentage of the
 * users provisioned at the start of the cycle (`'10%'`). `Infinity` turns the check off.
 */
export type DeletionThreshold = number | `${number}%`;

/**
 * How an existing target user is found, to be linked rather than created, the first time the
 * engine meets a source user:
 *
 * - `'userName'`: a target user with the mapped `userName` (case-insensitive, as RFC 7643 compares
 *   it). PingFederate's behaviour.
 * - `'emails.work'`: a target user with the mapped work email among its work emails.
 * - a SCIM filter template whose placeholders name source attributes, each written inside double
 *   quotes: `'externalId eq "{employeeNumber}"'`. Values are escaped. A user without a value for
 *   a placeholder matches nothing (and is created).
 */
export type UserMatch = 'userName' | 'emails.work' | (string & {});

/** The user side of provisioning (PingFederate's "Provisioning Options" for users). */
export interface UserProvisioningOptions {
  /**
   * Create target users for source users that have none (PingFederate: "User Create"). When off,
   * such users are reported as `skipped`; existing target users are still linked.
   * @default true
   */
  readonly create?: boolean;
  /**
   * Update target users whose mapped attributes changed, and re-enable users that are active
   * again in the source (PingFederate: "User Update"; it too re-enables only with updates on).
   * @default true
   */
  readonly update?: boolean;
  /**
   * Disable target users when `removeAction` is `'disable'` (PingFederate: the disable half of
   * "User Disable / Delete").
   * @default true
   */
  readonly disable?: boolean;
  /**
   * Delete target users when `removeAction` is `'delete'` (PingFederate: the delete half of
   * "User Disable / Delete").
   * @default true
   */
  readonly delete?: boolean;
  /**
   * What removing a user means (PingFederate: "Remove User Action"). See {@link RemoveAction}.
   * @default 'disable'
   */
  readonly removeAction?: RemoveAction;
  /**
   * Create source users that are disabled, as inactive target users (PingFederate: "Provision
   * Disabled Users"). Applies with `removeAction: 'disable'` only: with `'delete'`, a disabled user
   * is one to remove, so the engine never creates it, and never re-creates a user it deleted
   * (PingFederate would, in a loop).
   * @default false
   */
  readonly provisionDisabled?: boolean;
}

/** The group side of provisioning. */
export interface GroupProvisioningOptions {
  /**
   * Create target groups for source groups that have none (PingFederate: "Group Create").
   * @default true
   */
  readonly create?: boolean;
  /**
   * Rename groups, update their mapped attributes, and set their members (PingFederate: "Group
   * Update").
   * @default true
   */
  readonly update?: boolean;
  /**
   * Delete target groups (permanently) whose source group is deleted or out of scope
   * (PingFederate: "Group Delete").
   * @default true
   */
  readonly delete?: boolean;
  /**
   * How memberships are set: `'overwrite'` makes the target group's members exactly the source
   * group's provisioned members (members added in the target by hand are removed), as PingFederate
   * does.
   * @default 'overwrite'
   */
  readonly membership?: 'overwrite';
}

/** How existing target objects are found the first time (PingFederate links by userName and displayName). */
export interface MatchOptions {
  /** See {@link UserMatch}. @default 'userName' */
  readonly users?: UserMatch;
  /** Groups are found by `displayName` (case-insensitive). @default 'displayName' */
  readonly groups?: 'displayName';
}

/** Safeguards against a source that suddenly returns far fewer objects. */
export interface SafetyOptions {
  /**
   * The most removals (user disables, user deletes and group deletes) one cycle applies; a cycle
   * that would make more applies everything else, holds every removal and what follows from it
   * (held users and groups whose delete is held stay in their groups), reports them in
   * `SyncReport.held` and emits `removalsHeld`. `sync({ allowRemovals: true })` lets them through.
   * Independently of this threshold, a source that returns no user at all while users are
   * provisioned never removes anyone without `allowRemovals`.
   * @default the smaller of 500 and 20 % of the provisioned users (rounded up)
   */
  readonly deletionThreshold?: DeletionThreshold;
}

/** Attribute mappings (PingFederate: the "Attribute Mapping" tab). */
export interface EngineMappingOptions {
  /**
   * SCIM attribute path -> source attribute, for users. Start from `ACTIVE_DIRECTORY_USER_MAPPING`
   * or `LDAPV3_USER_MAPPING`. Checked when the engine is built, and against the target's
   * `/Schemas` before the first write.
   */
  readonly users: AttributeMapping;
  /**
   * The same for groups. `displayName` falls back to the source group's name.
   * @default DEFAULT_GROUP_MAPPING (`{ displayName: 'cn' }`)
   */
  readonly groups?: AttributeMapping;
}

/**
 * Options of {@link ProvisioningEngine}. `datastore`, `client` and `mapping.users` are required.
 *
 * @example
 * ```ts
 * const engine = new ProvisioningEngine({
 *   datastore: new LdapDatastore({ ... }),
 *   client: new AqueraClient({ ... }),
 *   state: new FileStateStore('/var/lib/provisioner/state.json'),
 *   mapping: { users: ACTIVE_DIRECTORY_USER_MAPPING },
 *   users: { removeAction: 'delete' },
 *   safety: { deletionThreshold: '5%' },
 * });
 * ```
 */
export interface EngineOptions {
  /** Where users and groups come from (PingFederate: the "Source" settings). */
  readonly datastore: DatastoreAdapter;
  /** The SCIM service to provision (a `ScimClient`, an `AqueraClient`, or any {@link ProvisioningTarget}). */
  readonly client: ProvisioningTarget;
  /**
   * Where the provisioning state is kept (what was written, per source object). Give each target
   * its own store.
   * @default new FileStateStore('./aquera-provisioner.state.json'), relative to the working directory
   */
  readonly state?: StateStore;
  /**
   * The identifier the state is bound to. A state written for another target id is refused.
   * @default targetFingerprint(client.baseUrl); required when the client has no baseUrl
   */
  readonly targetId?: string;
  /** Attribute mappings. */
  readonly mapping: EngineMappingOptions;
  /** User provisioning options. */
  readonly users?: UserProvisioningOptions;
  /** Group provisioning options. */
  readonly groups?: GroupProvisioningOptions;
  /** How existing target objects are found. */
  readonly match?: MatchOptions;
  /** Safeguards. */
  readonly safety?: SafetyOptions;
  /**
   * The most operations applied at once (the client's own `concurrency` also caps requests).
   * @default 8
   */
  readonly concurrency?: number;
  /**
   * Plan every cycle without writing (as `sync({ dryRun: true })` does for one cycle).
   * @default false
   */
  readonly dryRun?: boolean;
  /**
   * Resources asked for per page when the engine lists the target (to link new objects, and in
   * full cycles to reconcile the state against the target).
   * @default 100
   */
  readonly pageSize?: number;
  /**
   * How a replace (PUT) clears an attribute that became empty in the source: `'null'` sends
   * `null`/`[]` (clears on every conforming service), `'omit'` leaves it out (for services that
   * reject `null`; RFC 7644 lets them keep it).
   * @default 'null'
   */
  readonly clear?: ClearMode;
  /**
   * The clock used for state timestamps and report times.
   * @default Date.now
   * @unit milliseconds since the Unix epoch
   */
  readonly now?: () => number;
}

/** {@link EngineOptions} checked, copied and with every default applied. */
export interface ResolvedEngineOptions {
  readonly datastore: DatastoreAdapter;
  readonly client: ProvisioningTarget;
  readonly state: StateStore;
  readonly targetId: string;
  readonly mapping: {
    readonly users: AttributeMapping;
    readonly groups: AttributeMapping;
    /** The user mapping compiled against RFC 7643 only: what hashes are computed with. */
    readonly compiledUsers: CompiledMapping;
    /** The group mapping compiled against RFC 7643 only. */
    readonly compiledGroups: CompiledMapping;
  };
  readonly users: {
    readonly create: boolean;
    readonly update: boolean;
    readonly disable: boolean;
    readonly delete: boolean;
    readonly removeAction: RemoveAction;
    readonly provisionDisabled: boolean;
  };
  readonly groups: {
    readonly create: boolean;
    readonly update: boolean;
    readonly delete: boolean;
    readonly membership: 'overwrite';
  };
  readonly match: { readonly users: UserMatchRule; readonly groups: 'displayName' };
  readonly safety: {
    /** A count, a fraction of provisioned users (`{ percent }`), or the default rule. */
    readonly deletionThreshold: { readonly count: number } | { readonly percent: number } | 'default';
  };
  readonly concurrency: number;
  readonly dryRun: boolean;
  readonly pageSize: number;
  readonly clear: ClearMode;
  readonly now: () => number;
  /** A fingerprint of the options that decide what is written (see `configFingerprint`). */
  readonly fingerprint: string;
}

/** The file the default state store writes, relative to the working directory. */
export const DEFAULT_STATE_FILE = 'aquera-provisioner.state.json';

const TOP_LEVEL_KEYS = [
  'datastore',
  'client',
  'state',
  'targetId',
  'mapping',
  'users',
  'groups',
  'match',
  'safety',
  'concurrency',
  'dryRun',
  'pageSize',
  'clear',
  'now',
];

/**
 * Checks `options` and applies every default. Nothing of `options` is modified or kept other than
 * the objects it names (datastore, client, state store, mappings).
 *
 * @throws EngineOptionsError naming the first field at fault.
 * @throws MappingError when a mapping is wrong (it names the mapping key).
 * @example
 * ```ts
 * const resolved = resolveEngineOptions({ datastore, client, mapping: { users: LDAPV3_USER_MAPPING } });
 * resolved.users.removeAction; // 'disable'
 * ```
 */
export function resolveEngineOptions(options: EngineOptions): ResolvedEngineOptions {
  if (!isRecord(options)) throw new EngineOptionsError('(options)', 'must be an object');
  rejectUnknownKeys('', options, TOP_LEVEL_KEYS);

  const datastore = options.datastore;
  if (!isRecord(datastore) || !hasFunctions(datastore, ['users', 'groups'])) {
    throw new EngineOptionsError('datastore', 'must be a DatastoreAdapter (with users() and groups())');
  }
  const client = options.client;
  if (
    !isRecord(client) ||
    !isRecord(client.users) ||
    !isRecord(client.groups) ||
    !hasFunctions(client.users, ['create', 'get', 'replace', 'delete', 'findByUserName', 'list']) ||
    !hasFunctions(client.groups, [
      'create',
      'get',
      'replace',
      'patch',
      'delete',
      'findByDisplayName',
      'list',
      'addMembers',
      'removeMembers',
      'setMembers',
    ])
  ) {
    throw new EngineOptionsError(
      'client',
      'must be a ScimClient or another ProvisioningTarget (users and groups with their methods)',
    );
  }
  const state =
    options.state === undefined ? new FileStateStore(resolvePath(DEFAULT_STATE_FILE)) : options.state;
  if (!isRecord(state) || !hasFunctions(state, ['load', 'save', 'record', 'close'])) {
    throw new EngineOptionsError(
      'state',
      'must be a StateStore (MemoryStateStore, FileStateStore, or your own)',
    );
  }

  let targetId = options.targetId;
  if (targetId !== undefined && (typeof targetId !== 'string' || targetId.trim() === '')) {
    throw new EngineOptionsError('targetId', 'must be a non-empty string');
  }
  if (targetId === undefined) {
    const baseUrl = client.baseUrl;
    if (typeof baseUrl !== 'string' || baseUrl === '') {
      throw new EngineOptionsError('targetId', 'is required when the client has no baseUrl');
    }
    try {
      targetId = targetFingerprint(baseUrl);
    } catch {
      throw new EngineOptionsError('targetId', 'is required: the client baseUrl is not a URL');
    }
  }

  const mapping = options.mapping;
  if (!isRecord(mapping)) {
    throw new EngineOptionsError(
      'mapping',
      'is required: { users: ACTIVE_DIRECTORY_USER_MAPPING } or { users: LDAPV3_USER_MAPPING }, for instance',
    );
  }
  rejectUnknownKeys('mapping.', mapping, ['users', 'groups']);
  if (!isRecord(mapping.users))
    throw new EngineOptionsError('mapping.users', 'must be an attribute mapping object');
  if (mapping.groups !== undefined && !isRecord(mapping.groups)) {
    throw new EngineOptionsError('mapping.groups', 'must be an attribute mapping object');
  }
  const userMapping: AttributeMapping = { ...mapping.users };
  const groupMapping: AttributeMapping = { ...(mapping.groups ?? DEFAULT_GROUP_MAPPING) };

  const users = optionalRecord('users', options.users);
  rejectUnknownKeys('users.', users, [
    'create',
    'update',
    'disable',
    'delete',
    'removeAction',
    'provisionDisabled',
  ]);
  const groups = optionalRecord('groups', options.groups);
  rejectUnknownKeys('groups.', groups, ['create', 'update', 'delete', 'membership']);
  const match = optionalRecord('match', options.match);
  rejectUnknownKeys('match.', match, ['users', 'groups']);
  const safety = optionalRecord('safety', options.safety);
  rejectUnknownKeys('safety.', safety, ['deletionThreshold']);

  if (groups.membership !== undefined && groups.membership !== 'overwrite') {
    throw new EngineOptionsError('groups.membership', "must be 'overwrite'");
  }
  const membership = 'overwrite' as const;
  const groupMatch = match.groups ?? 'displayName';
  if (groupMatch !== 'displayName') throw new EngineOptionsError('match.groups', "must be 'displayName'");
  const userMatchText = match.users ?? 'userName';
  if (typeof userMatchText !== 'string' || userMatchText.trim() === '') {
    throw new EngineOptionsError('match.users', "must be 'userName', 'emails.work' or a filter template");
  }
  let userMatch: UserMatchRule;
  try {
    userMatch = parseUserMatch(userMatchText);
  } catch (error) {
    throw new EngineOptionsError('match.users', (error as Error).message);
  }

  const now = options.now ?? Date.now;
  if (typeof now !== 'function')
    throw new EngineOptionsError('now', 'must be a function returning milliseconds');
  const clear = options.clear ?? 'null';
  if (clear !== 'null' && clear !== 'omit') throw new EngineOptionsError('clear', "must be 'null' or 'omit'");

  const resolvedUsers = {
    create: flag('users.create', users.create, true),
    update: flag('users.update', users.update, true),
    disable: flag('users.disable', users.disable, true),
    delete: flag('users.delete', users.delete, true),
    removeAction: oneOf('users.removeAction', users.removeAction, ['disable', 'delete'], 'disable'),
    provisionDisabled: flag('users.provisionDisabled', users.provisionDisabled, false),
  };
  const resolvedGroups = {
    create: flag('groups.create', groups.create, true),
    update: flag('groups.update', groups.update, true),
    delete: flag('groups.delete', groups.delete, true),
    membership,
  };

  return {
    datastore,
    client,
    state,
    targetId,
    mapping: {
      users: userMapping,
      groups: groupMapping,
      compiledUsers: compileMapping(userMapping, { resourceType: 'User' }),
      compiledGroups: compileMapping(groupMapping, { resourceType: 'Group' }),
    },
    users: resolvedUsers,
    groups: resolvedGroups,
    match: { users: userMatch, groups: groupMatch },
    safety: { deletionThreshold: threshold(safety.deletionThreshold) },
    concurrency: integer('concurrency', options.concurrency, 8, 1, 256),
    dryRun: flag('dryRun', options.dryRun, false),
    pageSize: integer('pageSize', options.pageSize, 100, 1, 10_000),
    clear,
    now,
    fingerprint: configFingerprint({
      users: userMapping,
      groups: groupMapping,
      userOptions: resolvedUsers,
      groupOptions: resolvedGroups,
      match: userMatchText,
    }),
  };
}

/**
 * How many removals the threshold allows this cycle, given how many users are provisioned.
 *
 * @example
 * ```ts
 * removalLimit({ percent: 10 }, 250); // 25
 * removalLimit('default', 40);        // 8 (20 %, under 500)
 * ```
 */
export function removalLimit(
  threshold: ResolvedEngineOptions['safety']['deletionThreshold'],
  provisionedUsers: number,
): number {
  if (threshold === 'default') return Math.min(500, Math.ceil(provisionedUsers * 0.2));
  if ('count' in threshold) return threshold.count;
  return Math.ceil((provisionedUsers * threshold.percent) / 100);
}

function threshold(value: unknown): ResolvedEngineOptions['safety']['deletionThreshold'] {
  if (value === undefined) return 'default';
  if (typeof value === 'number') {
    if (Number.isNaN(value) || value < 0 || (Number.isFinite(value) && !Number.isInteger(value))) {
      throw new EngineOptionsError(
        'safety.deletionThreshold',
        'must be a whole number >= 0, Infinity, or a percentage',
      );
    }
    return { count: value };
  }
  if (typeof value === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(value);
    const percent = match === null ? Number.NaN : Number(match[1]);
    if (!(percent >= 0 && percent <= 100)) {
      throw new EngineOptionsError(
        'safety.deletionThreshold',
        "must be a count or a percentage from '0%' to '100%'",
      );
    }
    return { percent };
  }
  throw new EngineOptionsError('safety.deletionThreshold', "must be a count (50) or a percentage ('10%')");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasFunctions(value: Record<string, unknown>, names: readonly string[]): boolean {
  return names.every((name) => typeof value[name] === 'function');
}

function optionalRecord(field: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isRecord(value)) throw new EngineOptionsError(field, 'must be an object');
  return value;
}

function rejectUnknownKeys(prefix: string, value: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new EngineOptionsError(`${prefix}${key}`, `is not an option (known: ${known.join(', ')})`);
    }
  }
}

function flag(field: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new EngineOptionsError(field, 'must be true or false');
  return value;
}

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new EngineOptionsError(field, `must be one of ${allowed.map((item) => `'${item}'`).join(', ')}`);
  }
  return value as T;
}

function integer(field: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new EngineOptionsError(field, `must be a whole number from ${min} to ${max}`);
  }
  return value;
}
