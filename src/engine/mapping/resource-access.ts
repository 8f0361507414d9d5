/**
 * @internal Reading and writing the attribute a compiled rule names, in a SCIM resource object,
 * case-insensitively (RFC 7643 section 2.1).
 */
import { findKey, isPlainObject } from '../../scim/attributes';
import { matchesFilter } from '../../scim/filter/evaluate';
import type { CompiledRule } from './compile';

/** A SCIM resource as a plain JSON object. */
export type ResourceObject = Record<string, unknown>;

/**
 * The object holding the rule's attribute: the resource itself for core attributes, the
 * extension object for extension ones (created when `create` is true).
 */
export function ruleContainer(
  resource: ResourceObject,
  rule: CompiledRule,
  create: boolean,
): ResourceObject | undefined {
  if (rule.schema === undefined) return resource;
  const key = findKey(resource, rule.schema);
  const existing = key === undefined ? undefined : resource[key];
  if (isPlainObject(existing)) return existing;
  if (!create) return undefined;
  const container: ResourceObject = {};
  if (key !== undefined) delete resource[key];
  resource[rule.schema] = container;
  return container;
}

/**
 * Sets `obj[name] = value` under the schema's spelling `name`, removing any key that spells the
 * same attribute in another case (so the result never holds two spellings of one attribute).
 */
export function setAttribute(obj: ResourceObject, name: string, value: unknown): void {
  for (const key of Object.keys(obj)) {
    if (key !== name && key.toLowerCase() === name.toLowerCase()) delete obj[key];
  }
  obj[name] = value;
}

/** Removes every spelling of attribute `name` from `obj`; true when something was removed. */
export function deleteAttribute(obj: ResourceObject, name: string): boolean {
  let removed = false;
  for (const key of Object.keys(obj)) {
    if (key.toLowerCase() === name.toLowerCase()) {
      delete obj[key];
      removed = true;
    }
  }
  return removed;
}

/** `obj[name]` read case-insensitively. */
export function getAttribute(obj: ResourceObject, name: string): unknown {
  const key = findKey(obj, name);
  return key === undefined ? undefined : obj[key];
}

/** The first value of the rule's multi-valued attribute that its value filter selects. */
export function findSelectedElement(
  values: readonly unknown[],
  rule: CompiledRule,
): ResourceObject | undefined {
  const filter = rule.valueFilter;
  if (filter === undefined) return undefined;
  const within = { ...(rule.schema === undefined ? {} : { schema: rule.schema }), attr: rule.attr };
  for (const value of values) {
    if (isPlainObject(value) && matchesFilter(filter, value, { within })) return value;
  }
  return undefined;
}

/**
 * The value the rule's path has in `resource`: `undefined` when absent or `null`. For a value
 * filter, the sub-attribute of the first selected value.
 */
export function readRuleValue(resource: ResourceObject, rule: CompiledRule): unknown {
  const container = ruleContainer(resource, rule, false);
  if (container === undefined) return undefined;
  const attribute = getAttribute(container, rule.attr);
  if (attribute === undefined || attribute === null) return undefined;
  if (rule.subAttr === undefined) return attribute;
  let holder: unknown = attribute;
  if (rule.valueFilter !== undefined) {
    holder = Array.isArray(attribute) ? findSelectedElement(attribute, rule) : undefined;
  }
  if (!isPlainObject(holder)) return undefined;
  const value = getAttribute(holder, rule.subAttr);
  return value === null ? undefined : value;
}

/**
 * Writes `value` at the rule's path, creating the extension object, the complex attribute or the
 * selected value (with the filter's `name eq value` attributes) when missing.
 */
export function writeRuleValue(resource: ResourceObject, rule: CompiledRule, value: unknown): void {
  const container = ruleContainer(resource, rule, true) as ResourceObject;
  if (rule.subAttr === undefined) {
    setAttribute(container, rule.attr, value);
    return;
  }
  if (rule.valueFilter === undefined) {
    let complex = getAttribute(container, rule.attr);
    if (!isPlainObject(complex)) {
      complex = {};
      setAttribute(container, rule.attr, complex);
    }
    setAttribute(complex as ResourceObject, rule.subAttr, value);
    return;
  }
  let values = getAttribute(container, rule.attr);
  if (!Array.isArray(values)) {
    values = [];
    setAttribute(container, rule.attr, values);
  }
  const list = values as unknown[];
  let element = findSelectedElement(list, rule);
  if (element === undefined) {
    element = Object.fromEntries(rule.conditions.map((condition) => [condition.name, condition.value]));
    list.push(element);
  }
  setAttribute(element, rule.subAttr, value);
}
