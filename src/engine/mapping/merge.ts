import { isPlainObject } from '../../scim/attributes';
import type { SchemaAttribute } from '../../scim/models/schema';
import { type CompiledMapping, type CompiledRule, findByName, sameName } from './compile';
import {
  deleteAttribute,
  findSelectedElement,
  getAttribute,
  type ResourceObject,
  ruleContainer,
  setAttribute,
  writeRuleValue,
} from './resource-access';
import type { MappedResourceBody, MappedValue } from './types';

/**
 * How a replace (PUT) body clears an attribute:
 *
 * - `'null'`: a single-valued attribute is sent as `null` and a multi-valued one as `[]`. RFC 7643
 *   section 2.5 makes both mean "unassigned", while RFC 7644 section 3.5.1 lets a service provider
 *   take an attribute that is merely left out of a PUT as "not asserted" and keep it (PingDirectory
 *   does), so this is the form that clears on every conforming service;
 * - `'omit'`: the attribute is left out of the body, for services that reject `null`.
 *
 * A value chosen by a filter (`emails[type eq "work"].value`) is removed from its array in both
 * modes, since the array itself is sent.
 */
export type ClearMode = 'null' | 'omit';

/** Options of {@link mergeForReplace}. */
export interface MergeOptions {
  /**
   * How attributes that became empty in the source are cleared.
   *
   * @default 'null'
   */
  readonly clear?: ClearMode;
}

/** What {@link mergeForReplace} needs of a mapped resource. */
export interface MergeInput {
  /** The mapped value of each mapping key that has one. */
  readonly values: ReadonlyMap<string, MappedValue>;
  /** The mapped body; only its `displayName` is read, for a group whose name came from the source's `name`. */
  readonly resource: Readonly<Record<string, unknown>>;
}

/** Sub-attributes that carry no information of their own once a value's main sub-attribute is gone. */
const NON_INFORMATIVE = ['primary', 'display'];

/**
 * Builds the body of a replace (PUT) from the target's current resource and the mapped values,
 * so that a PUT changes exactly what the mapping owns:
 *
 * - attributes the mapping does not name are kept as the target has them (including other
 *   values of a multi-valued attribute: a mapped work email leaves a home email alone);
 * - mapped attributes take their mapped value;
 * - attributes that became empty in the source are cleared (see {@link ClearMode}); a value chosen
 *   by a filter is removed from its array when nothing but its filter attributes (and `primary`
 *   or `display`) remains;
 * - createOnly attributes are kept as the target has them (never added, changed or cleared);
 * - `meta` and every attribute or sub-attribute whose mutability is `readOnly` in the schemas the
 *   mapping was compiled against (`groups`, `manager.displayName`, `members.display`, ...) are
 *   removed; `id` is kept, as in the PUT example of RFC 7644 section 3.5.1;
 * - `schemas` is the target's list plus the extensions of the mapped values.
 *
 * The target resource is not modified; the result is a new object.
 *
 * @example
 * ```ts
 * const current = await client.users.get(targetId);
 * const mapped = mapUser(compiled, sourceUser);
 * await client.users.replace(targetId, mergeForReplace(current, mapped, compiled));
 * ```
 */
export function mergeForReplace(
  target: Readonly<Record<string, unknown>>,
  mapped: MergeInput,
  compiled: CompiledMapping,
  options: MergeOptions = {},
): MappedResourceBody {
  const mode = options.clear ?? 'null';
  const body = structuredClone(target) as ResourceObject;
  stripReadOnly(body, compiled);

  const touchedExtensions = new Set<string>();
  for (const rule of compiled.rules) {
    if (rule.createOnly) continue;
    const value = mapped.values.get(rule.key);
    if (value !== undefined) writeRuleValue(body, rule, Array.isArray(value) ? [...value] : value);
    else clearRuleValue(body, rule, mode);
    if (rule.schema !== undefined) touchedExtensions.add(rule.schema);
  }
  if (compiled.resourceType === 'Group' && typeof mapped.resource.displayName === 'string') {
    setAttribute(body, 'displayName', mapped.resource.displayName);
  }

  const declared = getAttribute(body, 'schemas');
  const schemas = Array.isArray(declared)
    ? declared.filter((urn): urn is string => typeof urn === 'string')
    : [];
  if (!schemas.some((urn) => sameName(urn, compiled.baseSchema))) schemas.unshift(compiled.baseSchema);
  for (const urn of touchedExtensions) {
    const key = Object.keys(body).find((candidate) => sameName(candidate, urn));
    const container = key === undefined ? undefined : body[key];
    const listed = schemas.findIndex((item) => sameName(item, urn));
    if (
      key !== undefined &&
      isPlainObject(container) &&
      Object.keys(container).length === 0 &&
      mode === 'omit'
    ) {
      delete body[key];
      if (listed >= 0) schemas.splice(listed, 1);
    } else if (isPlainObject(container) && listed < 0) {
      schemas.push(urn);
    }
  }
  setAttribute(body, 'schemas', schemas);
  return body as MappedResourceBody;
}

function clearRuleValue(body: ResourceObject, rule: CompiledRule, mode: ClearMode): void {
  const container = ruleContainer(body, rule, false);
  if (container === undefined) return;
  const attribute = getAttribute(container, rule.attr);
  if (attribute === undefined || attribute === null) return;
  if (rule.subAttr === undefined) {
    if (mode === 'omit') deleteAttribute(container, rule.attr);
    else setAttribute(container, rule.attr, rule.multiValued || Array.isArray(attribute) ? [] : null);
    return;
  }
  if (rule.valueFilter === undefined) {
    if (!isPlainObject(attribute) || getAttribute(attribute, rule.subAttr) === undefined) return;
    if (mode === 'null') {
      setAttribute(attribute, rule.subAttr, null);
      return;
    }
    deleteAttribute(attribute, rule.subAttr);
    if (Object.keys(attribute).length === 0) deleteAttribute(container, rule.attr);
    return;
  }
  if (!Array.isArray(attribute)) return;
  const element = findSelectedElement(attribute, rule);
  if (element === undefined || !deleteAttribute(element, rule.subAttr)) return;
  const filterNames = rule.conditions.map((condition) => condition.name.toLowerCase());
  const informative = Object.keys(element).filter((key) => {
    const lower = key.toLowerCase();
    return !filterNames.includes(lower) && !NON_INFORMATIVE.includes(lower) && element[key] !== null;
  });
  if (informative.length === 0) attribute.splice(attribute.indexOf(element), 1);
  if (attribute.length === 0 && mode === 'omit') deleteAttribute(container, rule.attr);
}

/** Removes `meta` and what the schemas say is read-only. */
function stripReadOnly(body: ResourceObject, compiled: CompiledMapping): void {
  deleteAttribute(body, 'meta');
  const base = compiled.schemas.find((schema) => sameName(schema.id, compiled.baseSchema));
  for (const key of Object.keys(body)) {
    const lower = key.toLowerCase();
    if (lower === 'schemas' || lower === 'id') continue;
    const extension = compiled.schemas.find((schema) => sameName(schema.id, key));
    if (extension !== undefined && !sameName(extension.id, compiled.baseSchema)) {
      const container = body[key];
      if (!isPlainObject(container)) continue;
      for (const inner of Object.keys(container)) {
        stripByDefinition(container, inner, findByName(extension.attributes, inner));
      }
      continue;
    }
    stripByDefinition(body, key, findByName(base?.attributes, key));
  }
}

function stripByDefinition(obj: ResourceObject, key: string, definition: SchemaAttribute | undefined): void {
  if (definition === undefined) return;
  if (definition.mutability === 'readOnly') {
    delete obj[key];
    return;
  }
  if (definition.type !== 'complex' || definition.subAttributes === undefined) return;
  const value = obj[key];
  const holders = Array.isArray(value) ? value : [value];
  for (const holder of holders) {
    if (!isPlainObject(holder)) continue;
    for (const subKey of Object.keys(holder)) {
      if (findByName(definition.subAttributes, subKey)?.mutability === 'readOnly') delete holder[subKey];
    }
  }
}
