import { findKey } from '../../scim/attributes';
import type { CompiledMapping, CompiledRule } from './compile';
import { convertValue, type IntermediateValue } from './convert';
import { stableHash } from './hash';
import { MappingError } from './MappingError';
import { type ClearMode, mergeForReplace } from './merge';
import { writeRuleValue } from './resource-access';
import type {
  MappedResourceBody,
  MappedScalar,
  MappedValue,
  MappingSource,
  MappingTransform,
  TransformContext,
} from './types';

/** What {@link mapUser} and {@link mapGroup} return. */
export interface MappedResource {
  /**
   * The body to send: for a create (POST) the mapped attributes, createOnly ones included, with
   * `schemas` naming the core schema and every extension used; with `existing`, the body for a
   * replace (PUT) built by {@link mergeForReplace}.
   *
   * The engine adds what mapping leaves to it (`active`; a group's `members`).
   */
  readonly resource: MappedResourceBody;
  /**
   * A stable hash of the mapped attributes, createOnly ones excluded: store it, and update the
   * object only when it changes. It changes when a mapped value changes, appears or disappears,
   * and when the mapping gains or loses an attribute; not when the mapping's keys are reordered.
   */
  readonly hash: string;
  /**
   * Mapping keys with no value in the source (and no default): attributes to clear in the target.
   * createOnly keys are never listed.
   */
  readonly cleared: readonly string[];
  /** The value of each mapping key that has one (createOnly ones included), by key. */
  readonly values: ReadonlyMap<string, MappedValue>;
}

/** Options of {@link mapUser} and {@link mapGroup}. */
export interface MapOptions {
  /**
   * The object as the target has it now (from a GET). When given, `resource` is the body of a
   * replace (PUT) built from it by {@link mergeForReplace}.
   *
   * @default undefined: `resource` is the body of a create
   */
  readonly existing?: Readonly<Record<string, unknown>>;
  /**
   * How a replace body clears attributes; see {@link MergeOptions.clear}.
   *
   * @default 'null'
   */
  readonly clear?: ClearMode;
}

/**
 * Maps a source user to the SCIM User to write.
 *
 * Each rule reads its source attribute (case-insensitively), runs the transforms on each value,
 * drops empty values, converts the rest to the attribute's SCIM type, and takes the first value
 * (every value for a multi-valued simple attribute); with no value left the rule's `default`
 * applies, and without one the attribute is listed in `cleared`.
 *
 * @throws MappingError `missingRequired` when the user has no value for `userName`, and
 *   `invalidValue` when a value does not fit the attribute's type or a custom transform throws;
 *   the error names the mapping key and the user's source id, never the value.
 * @example
 * ```ts
 * const compiled = compileMapping(ACTIVE_DIRECTORY_USER_MAPPING);
 * const { resource, hash } = mapUser(compiled, sourceUser);
 * if (hash !== state.users.get(sourceUser.id)?.hash) {
 *   const current = await client.users.get(targetId);
 *   await client.users.replace(targetId, mapUser(compiled, sourceUser, { existing: current }).resource);
 * }
 * ```
 */
export function mapUser(
  compiled: CompiledMapping,
  user: MappingSource,
  options: MapOptions = {},
): MappedResource {
  if (compiled.resourceType !== 'User')
    throw new TypeError('mapUser needs a mapping compiled for resourceType "User"');
  const mapped = mapValues(compiled, user);
  const userName = compiled.rules.find(
    (rule) => rule.schema === undefined && rule.attr.toLowerCase() === 'username',
  );
  if (userName !== undefined && typeof mapped.values.get(userName.key) !== 'string') {
    throw new MappingError(
      'missingRequired',
      userName.key,
      `Source user "${user.id}" has no value for userName (mapped from "${userName.from}")`,
      { sourceId: user.id },
    );
  }
  return finish(compiled, mapped, options);
}

/**
 * Maps a source group to the SCIM Group to write (members excluded: the engine sets them).
 * `displayName` falls back to the group's `name` when the mapping gives it no value.
 *
 * @throws MappingError as {@link mapUser} does; `missingRequired` when the group has no
 *   displayName at all.
 * @example
 * ```ts
 * const { resource, hash } = mapGroup(compileMapping(DEFAULT_GROUP_MAPPING, { resourceType: 'Group' }), sourceGroup);
 * ```
 */
export function mapGroup(
  compiled: CompiledMapping,
  group: MappingSource & { readonly name?: string },
  options: MapOptions = {},
): MappedResource {
  if (compiled.resourceType !== 'Group') {
    throw new TypeError('mapGroup needs a mapping compiled for resourceType "Group"');
  }
  const mapped = mapValues(compiled, group);
  const rule = compiled.rules.find(
    (candidate) => candidate.schema === undefined && candidate.attr.toLowerCase() === 'displayname',
  );
  const hasDisplayName = rule !== undefined && mapped.values.has(rule.key);
  if (!hasDisplayName) {
    if (group.name === undefined || group.name === '') {
      throw new MappingError(
        'missingRequired',
        rule?.key ?? 'displayName',
        `Source group "${group.id}" has no displayName`,
        {
          sourceId: group.id,
        },
      );
    }
    mapped.fallbackDisplayName = group.name;
    if (rule !== undefined) mapped.cleared = mapped.cleared.filter((key) => key !== rule.key);
  }
  return finish(compiled, mapped, options);
}

interface Mapped {
  readonly values: Map<string, MappedValue>;
  cleared: string[];
  fallbackDisplayName?: string;
}

function mapValues(compiled: CompiledMapping, source: MappingSource): Mapped {
  const values = new Map<string, MappedValue>();
  const cleared: string[] = [];
  for (const rule of compiled.rules) {
    const value = ruleValue(rule, source);
    if (value !== undefined) values.set(rule.key, value);
    else if (!rule.createOnly) cleared.push(rule.key);
  }
  return { values, cleared };
}

function finish(compiled: CompiledMapping, mapped: Mapped, options: MapOptions): MappedResource {
  const resource: MappedResourceBody = { schemas: [compiled.baseSchema] };
  const hashed: [string, MappedValue][] = [];
  for (const rule of compiled.rules) {
    const value = mapped.values.get(rule.key);
    if (value === undefined) continue;
    writeRuleValue(resource, rule, Array.isArray(value) ? [...value] : value);
    if (rule.schema !== undefined && !resource.schemas.includes(rule.schema))
      resource.schemas.push(rule.schema);
    if (!rule.createOnly) hashed.push([rule.canonicalPath, value]);
  }
  if (mapped.fallbackDisplayName !== undefined) {
    resource.displayName = mapped.fallbackDisplayName;
    hashed.push([`${compiled.baseSchema}:displayname`.toLowerCase(), mapped.fallbackDisplayName]);
  }
  hashed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const result: MappedResource = {
    resource,
    hash: stableHash(hashed),
    cleared: Object.freeze([...mapped.cleared]),
    values: mapped.values,
  };
  if (options.existing === undefined) return result;
  const merged = mergeForReplace(
    options.existing,
    result,
    compiled,
    options.clear === undefined ? {} : { clear: options.clear },
  );
  return { ...result, resource: merged };
}

/** The rule's value for `source`, or `undefined` when it has none and no default. */
function ruleValue(rule: CompiledRule, source: MappingSource): MappedValue | undefined {
  const attributes = source.attributes as Record<string, unknown>;
  const key = findKey(attributes, rule.from);
  const raw = key === undefined ? undefined : source.attributes[key];
  let values: IntermediateValue[] = raw === undefined ? [] : Array.isArray(raw) ? [...raw] : [raw];
  if (rule.transforms.length > 0 && values.length > 0) {
    const context: TransformContext = { path: rule.key, from: rule.from, source };
    for (const transform of rule.transforms)
      values = applyTransform(transform, values, context, rule, source.id);
  }
  const converted: MappedScalar[] = [];
  for (const value of values) {
    if (value === '') continue;
    const scalar = convertValue(value, rule.type);
    if (scalar === undefined) {
      throw new MappingError(
        'invalidValue',
        rule.key,
        `Source object "${source.id}": a value of "${rule.from}" is not a valid ${rule.type ?? 'value'} for ${rule.key}`,
        { sourceId: source.id },
      );
    }
    converted.push(scalar);
    if (!rule.multiValued) break;
  }
  if (converted.length === 0) {
    if (rule.default === undefined) return undefined;
    if (rule.multiValued && !Array.isArray(rule.default)) return [rule.default as MappedScalar];
    return rule.default;
  }
  return rule.multiValued ? converted : converted[0];
}

function applyTransform(
  transform: MappingTransform,
  values: readonly IntermediateValue[],
  context: TransformContext,
  rule: CompiledRule,
  sourceId: string,
): IntermediateValue[] {
  const out: IntermediateValue[] = [];
  for (const value of values) {
    let result: unknown;
    if (typeof transform === 'function') {
      if (typeof value !== 'string' && !Buffer.isBuffer(value)) {
        result = value;
      } else {
        try {
          result = transform(value, context);
        } catch (cause) {
          throw new MappingError(
            'invalidValue',
            rule.key,
            `Source object "${sourceId}": the transform of ${rule.key} threw`,
            {
              sourceId,
              cause,
            },
          );
        }
      }
    } else if (typeof value !== 'string') {
      result = value;
    } else if (transform === 'trim') {
      result = value.trim();
    } else if (transform === 'lower') {
      result = value.toLowerCase();
    } else {
      result = value.toUpperCase();
    }
    if (result === null || result === undefined || result === '') continue;
    if (!isIntermediate(result)) {
      throw new MappingError(
        'invalidValue',
        rule.key,
        `Source object "${sourceId}": the transform of ${rule.key} returned a ${typeof result}, not a string, number, boolean or Buffer`,
        { sourceId },
      );
    }
    out.push(result);
  }
  return out;
}

function isIntermediate(value: unknown): value is IntermediateValue {
  return (
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value)) ||
    Buffer.isBuffer(value)
  );
}
