/**
 * Reading the configuration file: JSON, checked against {@link ConfigSchema}, secrets fetched
 * from the environment or files, paths resolved against the file's folder, and the SDK options
 * built from it. Every problem is reported at once, by field, without showing any value.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import type { AqueraClientOptions } from '../../client/AqueraClient';
import type { ScimAuth, ScimClientOptions } from '../../client/options';
import type { LdapDatastoreOptions, LdapLocation } from '../../datastore/ldap/options';
import { ACTIVE_DIRECTORY_USER_MAPPING, LDAPV3_USER_MAPPING } from '../../engine/mapping/defaults';
import type { AttributeMapping, MappingRule } from '../../engine/mapping/types';
import type { EngineOptions } from '../../engine/options';
import { CliConfigError } from '../errors/CliConfigError';
import { knownKeysAt } from './fields';
import { ConfigSchema, type SecretInput } from './schema';

/** The parsed file: what zod returns for {@link ConfigSchema}. */
type ConfigOutput = z.output<typeof ConfigSchema>;

/** The SDK options of the target, by kind. */
export type TargetSettings =
  | { readonly type: 'aquera'; readonly options: AqueraClientOptions }
  | { readonly type: 'scim'; readonly options: ScimClientOptions };

/** The engine options the file decides (the datastore, client and state store are built from the rest). */
export type EngineSettings = Omit<EngineOptions, 'datastore' | 'client' | 'state' | 'now'>;

/**
 * A configuration ready to use: SDK options with secrets in place, absolute paths, and the list of
 * secret values (for redaction of anything the command line prints or logs).
 */
export interface CliConfig {
  /** The file as named on the command line (or a label, for a configuration built in code). */
  readonly file: string;
  readonly target: TargetSettings;
  readonly source: LdapDatastoreOptions;
  readonly engine: EngineSettings;
  /** Absolute path of the state file. */
  readonly stateFile: string;
  /** Every secret value the configuration holds, to blank out of output. Never print this. */
  readonly secrets: readonly string[];
  /** The `sso` section, metadata paths made absolute; absent when the file has none. */
  readonly sso?: SsoSettings;
}

/** The `sso` section of the file (see `sso` in docs/configuration.md), metadata paths absolute. */
export type SsoSettings = NonNullable<ConfigOutput['sso']>;

/** Where a configuration's environment variables, files and defaults come from. */
export interface ConfigContext {
  /** Environment variables for `{ "env": … }` secrets. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Folder against which relative paths in the file are resolved (the file's own folder). */
  readonly baseDir: string;
  /** How to name the configuration in messages. */
  readonly label: string;
  /**
   * The state file when `state.file` is not set.
   * @default `<config file name without .json>.state.json` next to the configuration file
   */
  readonly defaultStateFile?: string;
}

interface Problem {
  readonly field: string;
  readonly message: string;
}

/**
 * Reads and resolves the configuration file at `file` (relative to `cwd`).
 *
 * @throws CliConfigError listing every problem, by field.
 * @example
 * ```ts
 * const config = await loadConfig('provisioner.json', { env: process.env, cwd: process.cwd() });
 * ```
 */
export async function loadConfig(
  file: string,
  context: { readonly env: Readonly<Record<string, string | undefined>>; readonly cwd: string },
): Promise<CliConfig> {
  const absolute = path.resolve(context.cwd, file);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    throw new CliConfigError(file, [{ field: '', message: `cannot read the file (${errorCode(error)})` }]);
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    throw new CliConfigError(file, [{ field: '', message: jsonProblem(text, error) }]);
  }
  const base = path.basename(absolute).replace(/\.json$/i, '');
  return resolveConfig(input, {
    env: context.env,
    baseDir: path.dirname(absolute),
    label: file,
    defaultStateFile: path.join(path.dirname(absolute), `${base}.state.json`),
  });
}

/**
 * Checks a configuration object (as parsed from JSON) and resolves it: secrets, files, defaults.
 *
 * @throws CliConfigError listing every problem, by field.
 */
export async function resolveConfig(input: unknown, context: ConfigContext): Promise<CliConfig> {
  const parsed = ConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new CliConfigError(context.label, parsed.error.issues.flatMap(describeIssue));
  }
  const config = parsed.data;
  const problems: Problem[] = [];
  const secrets: string[] = [];
  const secret = async (value: SecretInput, field: string): Promise<string | undefined> => {
    const resolved = await resolveSecret(value, field, context, problems);
    if (resolved !== undefined) secrets.push(resolved);
    return resolved;
  };
  const pem = async (file: string | undefined, field: string): Promise<string | undefined> => {
    if (file === undefined) return undefined;
    const absolute = path.resolve(context.baseDir, file);
    try {
      return await readFile(absolute, 'utf8');
    } catch (error) {
      problems.push({ field, message: `cannot read ${absolute} (${errorCode(error)})` });
      return undefined;
    }
  };

  // --- target ---
  const targetType = config.target.type ?? 'aquera';
  let auth: ScimAuth | undefined;
  const authInput = config.target.auth;
  if (authInput?.type === 'bearer') {
    const token = await secret(authInput.token, 'target.auth.token');
    if (token !== undefined) auth = { type: 'bearer', token };
  } else if (authInput?.type === 'basic') {
    const password = await secret(authInput.password, 'target.auth.password');
    if (password !== undefined) {
      auth = { type: 'basic', username: authInput.username, password };
      secrets.push(Buffer.from(`${authInput.username}:${password}`).toString('base64'));
    }
  } else if (targetType === 'aquera') {
    problems.push({
      field: 'target.auth',
      message: 'is required for an Aquera target: { "type": "bearer", "token": { "env": "AQUERA_TOKEN" } }',
    });
  }
  const targetCa = await pem(config.target.tls?.caFile, 'target.tls.caFile');
  const clientOptions = {
    ...(auth === undefined ? {} : { auth }),
    ...(targetCa === undefined ? {} : { ca: targetCa }),
    ...optional('rejectUnauthorized', config.target.tls?.rejectUnauthorized),
    ...optional('timeout', config.target.timeout),
    ...optional('concurrency', config.target.concurrency),
    ...optional('rateLimit', config.target.rateLimit),
    ...optional('retry', config.target.retries),
    ...optional('allowInsecureHttp', config.target.allowInsecureHttp),
  };
  const target: TargetSettings =
    targetType === 'aquera'
      ? { type: 'aquera', options: { ...clientOptions, url: config.target.url } }
      : { type: 'scim', options: { ...clientOptions, baseUrl: config.target.url } };

  // --- source ---
  const sourceInput = config.source;
  const bindPassword =
    sourceInput.bindPassword === undefined
      ? undefined
      : await secret(sourceInput.bindPassword, 'source.bindPassword');
  const sourceCa = await pem(sourceInput.tls?.caFile, 'source.tls.caFile');
  const source: LdapDatastoreOptions = {
    urls: sourceInput.urls,
    directory: sourceInput.directory,
    users: location(sourceInput.users),
    ...(sourceInput.groups === undefined ? {} : { groups: location(sourceInput.groups) }),
    ...optional('bindDn', sourceInput.bindDn),
    ...optional('bindPassword', bindPassword),
    ...(sourceCa === undefined ? {} : { ca: sourceCa }),
    ...optional('servername', sourceInput.tls?.servername),
    ...optional('rejectUnauthorized', sourceInput.tls?.rejectUnauthorized),
    ...optional('startTls', sourceInput.tls?.startTls),
    ...optional('entryGuidAttribute', sourceInput.entryGuidAttribute),
    ...optional('memberOfGroupAttribute', sourceInput.memberOfGroupAttribute),
    ...optional('groupMemberAttribute', sourceInput.groupMemberAttribute),
    ...optional('memberUidAttribute', sourceInput.memberUidAttribute),
    ...optional('groupNameAttribute', sourceInput.groupNameAttribute),
    ...optional('changedUsersAlgorithm', sourceInput.changedUsersAlgorithm),
    ...optional('timestampAttribute', sourceInput.timestampAttribute),
    ...optional('clockSkewAllowance', sourceInput.clockSkewAllowance),
    ...optional('accountStatus', accountStatus(sourceInput.accountStatus)),
    ...optional('defaultStatus', sourceInput.defaultStatus),
    ...optional('pageSize', sourceInput.pageSize),
    ...optional('connectTimeout', sourceInput.connectTimeout),
    ...optional('operationTimeout', sourceInput.operationTimeout),
    ...optional('reconnectAttempts', sourceInput.reconnectAttempts),
    ...optional('binaryAttributes', sourceInput.binaryAttributes),
  };

  // --- engine ---
  const engine: EngineSettings = {
    mapping: mapping(config, problems),
    ...optional('users', compact(config.users)),
    ...optional('groups', compact(config.groups)),
    ...optional('match', compact(config.match)),
    ...optional('safety', compact(config.safety)),
    ...optional('concurrency', config.concurrency),
    ...optional('pageSize', config.pageSize),
    ...optional('clear', config.clear),
  } as EngineSettings;

  if (problems.length > 0) throw new CliConfigError(context.label, problems);
  const stateFile =
    config.state?.file === undefined
      ? (context.defaultStateFile ?? path.join(context.baseDir, 'aquera-provisioner.state.json'))
      : path.resolve(context.baseDir, config.state.file);
  const sso = config.sso === undefined ? undefined : absoluteSsoPaths(config.sso, context.baseDir);
  return {
    file: context.label,
    target,
    source,
    engine,
    stateFile,
    secrets: [...new Set(secrets)],
    ...(sso === undefined ? {} : { sso }),
  };
}

function absoluteSsoPaths(sso: SsoSettings, baseDir: string): SsoSettings {
  const absolute = <T extends { readonly metadataFile?: string | undefined }>(part: T): T =>
    part.metadataFile === undefined
      ? part
      : { ...part, metadataFile: path.resolve(baseDir, part.metadataFile) };
  return { ...sso, sp: absolute(sso.sp), idp: absolute(sso.idp) };
}

// ------------------------------------------------------------------------------------------------

async function resolveSecret(
  value: SecretInput,
  field: string,
  context: ConfigContext,
  problems: Problem[],
): Promise<string | undefined> {
  if (typeof value === 'string') return value;
  if ('env' in value) {
    const found = context.env[value.env];
    if (found === undefined || found === '') {
      problems.push({ field, message: `the environment variable ${value.env} is not set (or is empty)` });
      return undefined;
    }
    return found;
  }
  const absolute = path.resolve(context.baseDir, value.file);
  try {
    const content = (await readFile(absolute, 'utf8')).replace(/\r?\n$/, '');
    if (content === '') {
      problems.push({ field, message: `the file ${absolute} is empty` });
      return undefined;
    }
    return content;
  } catch (error) {
    problems.push({ field, message: `cannot read ${absolute} (${errorCode(error)})` });
    return undefined;
  }
}

function mapping(config: ConfigOutput, problems: Problem[]): EngineSettings['mapping'] {
  const preset = config.mapping?.preset ?? config.source.directory;
  const users: Record<string, string | MappingRule> =
    preset === 'active-directory'
      ? { ...ACTIVE_DIRECTORY_USER_MAPPING }
      : preset === 'ldapv3'
        ? { ...LDAPV3_USER_MAPPING }
        : {};
  for (const [key, entry] of Object.entries(config.mapping?.users ?? {})) {
    if (entry === null) delete users[key];
    else users[key] = rule(entry);
  }
  if (Object.keys(users).length === 0) {
    problems.push({
      field: 'mapping.users',
      message: "maps nothing: give at least userName, or use a preset ('active-directory' or 'ldapv3')",
    });
  }
  const groupsInput = config.mapping?.groups;
  const groups: AttributeMapping | undefined =
    groupsInput === undefined
      ? undefined
      : Object.fromEntries(Object.entries(groupsInput).map(([key, entry]) => [key, rule(entry)]));
  return groups === undefined ? { users } : { users, groups };
}

type MappingEntryOutput = Exclude<NonNullable<NonNullable<ConfigOutput['mapping']>['users']>[string], null>;

function rule(entry: MappingEntryOutput): string | MappingRule {
  if (typeof entry === 'string') return entry;
  return {
    from: entry.from,
    ...optional('transform', entry.transform),
    ...optional('createOnly', entry.createOnly),
    ...optional('default', entry.default),
  };
}

function location(input: ConfigOutput['source']['users']): LdapLocation {
  return {
    baseDn: input.baseDn,
    ...optional('scope', input.scope),
    ...optional('filter', input.filter),
    ...optional('groupDn', input.groupDn),
    ...optional('nested', input.nested),
    ...optional('objectClasses', input.objectClasses),
    ...optional('attributes', input.attributes),
  };
}

function accountStatus(
  input: ConfigOutput['source']['accountStatus'],
): LdapDatastoreOptions['accountStatus'] | undefined {
  if (input === undefined) return undefined;
  if (input.algorithm !== 'flag') return { algorithm: input.algorithm };
  return {
    algorithm: 'flag',
    attribute: input.attribute,
    ...optional('value', input.value),
    ...optional('statusWhenMatched', input.statusWhenMatched),
  };
}

/** `{ [key]: value }`, or `{}` when the value is undefined (for exact optional properties). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** A copy of `value` without its undefined properties; `undefined` for `undefined`. */
function compact<T extends object>(
  value: T | undefined,
): { [K in keyof T]?: Exclude<T[K], undefined> } | undefined {
  if (value === undefined) return undefined;
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

// --- messages -------------------------------------------------------------------------------------

interface IssueLike {
  readonly code: string;
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly keys?: readonly string[];
}

/** One zod issue as problems a person can act on; values from the file are never shown. */
function describeIssue(issue: IssueLike): Problem[] {
  const field = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(issue.path) ?? [];
    return (issue.keys ?? []).map((key) => {
      const suggestion = closest(key, known);
      return {
        field: formatPath([...issue.path, key]),
        message:
          suggestion === undefined
            ? `is not a known field${known.length > 0 ? ` (known here: ${known.join(', ')})` : ''}`
            : `is not a known field; did you mean "${suggestion}"?`,
      };
    });
  }
  // The schema words its own messages; zod's defaults (for the few fields without one) start so.
  return [{ field, message: issue.message.replace(/^Invalid input: /, '') }];
}

/** `source.users.baseDn`, `source.urls[1]`, `mapping.users["emails[type eq \"work\"].value"]`. */
export function formatPath(segments: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of segments) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$]*$/.test(segment))
      text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text;
}

/** The known key nearest to `key` (same letters in another case, or at most two edits away). */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance =
      candidate.toLowerCase() === key.toLowerCase()
        ? 0
        : editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance <= 2 && (best === undefined || distance < best.distance))
      best = { key: candidate, distance };
  }
  return best?.key;
}

function editDistance(left: string, right: string): number {
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let i = 1; i <= left.length; i++) {
    const current = [i];
    for (let j = 1; j <= right.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (left[i - 1] === right[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[right.length] ?? 0;
}

function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}

/** Where the JSON is broken, as line and column; never the text around it (it may hold a secret). */
function jsonProblem(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const position = /position (\d+)/.exec(message);
  if (position?.[1] === undefined) return 'is not valid JSON';
  const offset = Number(position[1]);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `is not valid JSON: line ${line}, column ${column}`;
}
