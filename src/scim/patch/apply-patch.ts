/**
 * Local application of a SCIM PATCH request (RFC 7644 section 3.5.2) to a resource.
 */
import { findKey, isPlainObject } from '../attributes';
import { isScimProtocolError, ScimProtocolError } from '../errors/ScimProtocolError';
import type { AttributePath, FilterNode } from '../filter/ast';
import { defaultCaseExact } from '../filter/case-exact';
import { matchesFilter } from '../filter/evaluate';
import type { PatchOp, PatchOperation, PatchOperationType } from '../models/patch-op';
import {
  CORE_MULTI_VALUED,
  enforceSinglePrimary,
  isNamedByRemoval,
  isSameValue,
  mergeSubAttributes,
} from './multi-valued';
import { declaredSchemas, namesResourceItself, type PatchTarget, resolvePatchTarget } from './patch-target';

/** Options of {@link applyPatch}. */
export interface ApplyPatchOptions {
  /**
   * Attributes no operation may add, replace or remove; an operation that tries fails with scimType
   * `mutability` (RFC 7644 section 3.5.2). Names compare case-insensitively and are written as the path
   * names them: `id`, `name.formatted`, or URN-qualified for an extension attribute
   * (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager`). A server that computes a
   * User's `groups` adds `'groups'`.
   *
   * @default ['id', 'meta']
   */
  readonly readOnly?: readonly string[];
  /**
   * Whether a value filter (`emails[value eq "A@X"]`) compares an attribute's strings exactly. Receives
   * the attribute's full path (`{ attr: 'emails', subAttr: 'value' }`).
   *
   * @default the RFC 7643 caseExact characteristics that `matchesFilter` uses, except that
   *   `members.value` and `groups.value` compare exactly: they hold resource ids, and ids are caseExact.
   */
  readonly caseExact?: (path: AttributePath) => boolean;
}

/** Default of {@link ApplyPatchOptions.readOnly}. */
export const DEFAULT_READ_ONLY_ATTRIBUTES: readonly string[] = ['id', 'meta'];

interface ResolvedApplyPatchOptions {
  readonly readOnly: ReadonlySet<string>;
  readonly caseExact: (path: AttributePath) => boolean;
}

function resolveApplyPatchOptions(options: ApplyPatchOptions | undefined): ResolvedApplyPatchOptions {
  const readOnly = options?.readOnly ?? DEFAULT_READ_ONLY_ATTRIBUTES;
  if (!Array.isArray(readOnly) || readOnly.some((name) => typeof name !== 'string')) {
    throw new TypeError('applyPatch option readOnly must be an array of attribute names');
  }
  const caseExact = options?.caseExact ?? idValuesCaseExact;
  if (typeof caseExact !== 'function') throw new TypeError('applyPatch option caseExact must be a function');
  return { readOnly: new Set(readOnly.map((name) => name.toLowerCase())), caseExact };
}

function idValuesCaseExact(path: AttributePath): boolean {
  const attr = path.attr.toLowerCase();
  if (
    path.schema === undefined &&
    (attr === 'members' || attr === 'groups') &&
    path.subAttr?.toLowerCase() === 'value'
  ) {
    return true;
  }
  return defaultCaseExact(path);
}

/**
 * Applies a PATCH request to a resource as a SCIM service provider would (RFC 7644 section 3.5.2) and
 * returns the patched copy. The input is never changed, and neither is the patch: the result shares
 * no object with either. Operations apply in order, all or nothing: the first one that fails throws
 * and no partial result escapes.
 *
 * What each operation does:
 *
 * - **add**: without a path, `value` is an object of attributes, each added as below (URN keys address
 *   an extension, or an attribute inside one). With a path: a simple attribute is set; a complex one gets
 *   the given sub-attributes merged in; a multi-valued one gets the new values appended, except values it
 *   already holds (same `value` and no conflicting `type`, or equal), which are updated in place. An
 *   extension attribute creates the extension object and lists its URN in `schemas`. With a value filter
 *   (`emails[type eq "work"].value`), the matching values are updated; when none match and the filter is
 *   `eq` comparisons joined by `and`, a value built from them is appended (what Microsoft Entra ID expects).
 * - **replace**: without a path, each attribute of `value` is replaced. A simple attribute is set; a
 *   complex one gets the given sub-attributes replaced and keeps the others; a multi-valued one gets all
 *   its values replaced; `null` unassigns. A missing attribute is added. With a value filter, the
 *   matching values (or their sub-attribute) are replaced; none matching is `noTarget`.
 * - **remove**: the attribute, sub-attribute, or filtered values are removed; a filter matching nothing
 *   is `noTarget`. With a `value` on a multi-valued attribute (`{ op: 'remove', path: 'members', value:
 *   [{ value: 'id1' }] }`, the Entra form) only the values it names are removed.
 *
 * Attribute names match case-insensitively and keep the resource's spelling (a new attribute takes the
 * path's). An attribute, complex value or extension left empty is unassigned (removed), and an extension
 * removed entirely leaves `schemas`. Setting `primary: true` on a value sets it false on the others.
 * `op` is read in any case.
 *
 * @throws ScimProtocolError, its message naming the operation (`Operations[2]: …`) and never a value:
 *   - `invalidPath`: the path does not parse, names a sub-attribute of a simple attribute, puts a filter
 *     on a single-valued attribute, or names a core schema the resource does not have;
 *   - `noTarget`: `remove` without a path; a value filter that matches nothing on `replace` or `remove`;
 *   - `invalidValue`: `add`/`replace` without a value; a path-less `value` that is not an object; a value
 *     of the wrong shape (an object for a simple attribute, a simple value for a complex one); more than
 *     one value made primary;
 *   - `mutability`: the operation touches an attribute listed in `options.readOnly`;
 *   - `invalidSyntax`: an unknown `op`, or a PatchOp without an `Operations` array.
 * @example
 * ```ts
 * const group = { schemas: [SCHEMAS.Group], id: 'g1', displayName: 'Sales', members: [{ value: 'u1' }] };
 * const patched = applyPatch(group, {
 *   schemas: [SCHEMAS.PatchOp],
 *   Operations: [
 *     { op: 'add', path: 'members', value: [{ value: 'u2' }] },
 *     { op: 'remove', path: 'members[value eq "u1"]' },
 *   ],
 * });
 * // patched.members: [{ value: 'u2' }]; group is unchanged
 * ```
 */
export function applyPatch<T extends Record<string, unknown>>(
  resource: T,
  patch: PatchOp | readonly PatchOperation[],
  options?: ApplyPatchOptions,
): T {
  const resolved = resolveApplyPatchOptions(options);
  const operations = readOperations(patch);
  const working: Record<string, unknown> = structuredClone(resource);
  operations.forEach((operation, index) => {
    try {
      applyOperation(working, operation, resolved);
    } catch (error) {
      if (!isScimProtocolError(error)) throw error;
      throw new ScimProtocolError(error.scimType, `Operations[${index}]: ${error.message}`, {
        status: error.status,
        cause: error,
      });
    }
  });
  return working as T;
}

function isOperationList(patch: PatchOp | readonly PatchOperation[]): patch is readonly PatchOperation[] {
  return Array.isArray(patch);
}

function readOperations(patch: PatchOp | readonly PatchOperation[]): readonly unknown[] {
  if (isOperationList(patch)) return patch;
  const operations: unknown = isPlainObject(patch) ? patch.Operations : undefined;
  if (!Array.isArray(operations)) {
    throw new ScimProtocolError('invalidSyntax', 'The PatchOp has no "Operations" array');
  }
  return operations;
}

function readOp(op: unknown): PatchOperationType {
  const lower = typeof op === 'string' ? op.toLowerCase() : undefined;
  if (lower === 'add' || lower === 'remove' || lower === 'replace') return lower;
  throw new ScimProtocolError('invalidSyntax', '"op" must be "add", "remove" or "replace"');
}

function applyOperation(
  resource: Record<string, unknown>,
  operation: unknown,
  options: ResolvedApplyPatchOptions,
): void {
  if (!isPlainObject(operation)) {
    throw new ScimProtocolError('invalidSyntax', 'the operation is not an object');
  }
  const op = readOp(operation.op);
  const path: unknown = operation.path;
  // A copy: nothing of the caller's patch ends up in (or is later changed through) the result.
  const value: unknown = structuredClone(operation.value);
  if (path !== undefined && path !== null && typeof path !== 'string') {
    throw new ScimProtocolError('invalidPath', '"path" must be a string');
  }
  if (op === 'remove' && (path === undefined || path === null)) {
    throw new ScimProtocolError('noTarget', 'a "remove" operation needs a "path"');
  }
  if (op !== 'remove' && value === undefined) {
    throw new ScimProtocolError('invalidValue', `an "${op}" operation needs a "value"`);
  }
  if (path === undefined || path === null || namesResourceItself(resource, path)) {
    if (op === 'remove')
      throw new ScimProtocolError('invalidPath', 'a "remove" path cannot name the resource itself');
    applyWithoutPath(resource, op, value, options);
    return;
  }
  applyToTarget(resource, resolvePatchTarget(resource, path), op, value, options);
}

function applyWithoutPath(
  resource: Record<string, unknown>,
  op: 'add' | 'replace',
  value: unknown,
  options: ResolvedApplyPatchOptions,
): void {
  if (!isPlainObject(value)) {
    throw new ScimProtocolError(
      'invalidValue',
      `without a "path", the "${op}" value must be an object of attributes`,
    );
  }
  for (const [key, attributeValue] of Object.entries(value)) {
    if (attributeValue === undefined) continue;
    if (namesResourceItself(resource, key) && isPlainObject(attributeValue)) {
      applyWithoutPath(resource, op, attributeValue, options);
      continue;
    }
    applyToTarget(resource, resolvePatchTarget(resource, key, false), op, attributeValue, options);
  }
}

/** The names an operation on `target` touches, lower-case, as `readOnly` entries would write them. */
function touchedNames(target: PatchTarget): string[] {
  if (target.wholeExtension) return [target.attr.toLowerCase()];
  const qualified = target.extension === undefined ? target.attr : `${target.extension}:${target.attr}`;
  const names = [qualified];
  if (target.subAttr !== undefined) names.push(`${qualified}.${target.subAttr}`);
  return names.map((name) => name.toLowerCase());
}

function applyToTarget(
  resource: Record<string, unknown>,
  target: PatchTarget,
  op: PatchOperationType,
  value: unknown,
  options: ResolvedApplyPatchOptions,
): void {
  if (touchedNames(target).some((name) => options.readOnly.has(name))) {
    throw new ScimProtocolError('mutability', `${target.label} is read-only`);
  }
  if (op === 'add' && value === null) {
    throw new ScimProtocolError('invalidValue', `${target.label}: an "add" value cannot be null`);
  }
  if (target.wholeExtension && op !== 'remove' && value !== null && !isPlainObject(value)) {
    throw new ScimProtocolError(
      'invalidValue',
      `${target.label} is an extension: the value must be an object of attributes`,
    );
  }
  const container = containerFor(resource, target, op);
  if (container === undefined) return;
  const attribute: AttributeRef = {
    container,
    key: findKey(container, target.attr) ?? target.attr,
    name: target.attr,
    path: target.extension === undefined || target.wholeExtension ? {} : { schema: target.extension },
    isCore: container === resource && !target.wholeExtension,
    label: target.label,
  };
  if (target.valueFilter !== undefined) {
    applyFiltered(attribute, target.valueFilter, target.subAttr, op, value, options);
  } else if (target.subAttr !== undefined) {
    applySubAttribute(attribute, target.subAttr, op, value);
  } else {
    applyAttribute(attribute, op, value);
  }
  if (target.extension !== undefined) tidyExtension(resource, target.extension);
}

/** The object that holds the target attribute; a missing extension is created for add/replace. */
function containerFor(
  resource: Record<string, unknown>,
  target: PatchTarget,
  op: PatchOperationType,
): Record<string, unknown> | undefined {
  if (target.extension === undefined || target.wholeExtension) return resource;
  const key = findKey(resource, target.extension);
  const existing = key === undefined ? undefined : resource[key];
  if (isPlainObject(existing)) return existing;
  if (op === 'remove') return undefined;
  const created: Record<string, unknown> = {};
  resource[key ?? target.extension] = created;
  return created;
}

/** After an operation on an extension: an empty extension goes, and `schemas` lists exactly the ones present. */
function tidyExtension(resource: Record<string, unknown>, urn: string): void {
  const key = findKey(resource, urn);
  const extension = key === undefined ? undefined : resource[key];
  const present = isPlainObject(extension) && Object.keys(extension).length > 0;
  if (key !== undefined && !present) delete resource[key];
  const schemasKey = findKey(resource, 'schemas') ?? 'schemas';
  const declared = declaredSchemas(resource);
  const listed = declared.some((schema) => schema.toLowerCase() === urn.toLowerCase());
  if (present && !listed) {
    const schemas = resource[schemasKey];
    resource[schemasKey] = [...(Array.isArray(schemas) ? schemas : []), key ?? urn];
  } else if (!present && listed) {
    const schemas = resource[schemasKey];
    if (Array.isArray(schemas)) {
      resource[schemasKey] = schemas.filter(
        (schema) => typeof schema !== 'string' || schema.toLowerCase() !== urn.toLowerCase(),
      );
    }
  }
}

/** The attribute an operation works on. */
interface AttributeRef {
  /** The object holding the attribute. */
  readonly container: Record<string, unknown>;
  /** Its key in `container`: the existing spelling, or the path's for a new attribute. */
  readonly key: string;
  /** The attribute's name as the path wrote it. */
  readonly name: string;
  /** The schema part of the attribute's path (for caseExact), `{}` for the core schema. */
  readonly path: { readonly schema?: string };
  /** True for an attribute of the resource's core schema (where RFC 7643's multi-valued list applies). */
  readonly isCore: boolean;
  readonly label: string;
}

function currentValue(attribute: AttributeRef): unknown {
  return attribute.container[attribute.key];
}

function unassign(attribute: AttributeRef): void {
  delete attribute.container[attribute.key];
}

function isMultiValued(attribute: AttributeRef, current: unknown, value: unknown): boolean {
  if (Array.isArray(current)) return true;
  if (current !== undefined && current !== null) return false;
  return Array.isArray(value) || (attribute.isCore && CORE_MULTI_VALUED.has(attribute.name.toLowerCase()));
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

/** Simple values are not objects or arrays; complex values are objects. Mixing the two is invalidValue. */
function checkSameKind(label: string, existing: readonly unknown[], added: readonly unknown[]): void {
  const kinds = new Set([...existing, ...added].map((item) => (isPlainObject(item) ? 'complex' : 'simple')));
  if (kinds.size > 1 || added.some((item) => item === null || Array.isArray(item))) {
    throw new ScimProtocolError(
      'invalidValue',
      `${label}: values must be all complex or all simple, and not null`,
    );
  }
}

/** Writes a multi-valued attribute's values back; none left means unassigned. */
function writeValues(attribute: AttributeRef, values: unknown[], touched: ReadonlySet<unknown>): void {
  enforceSinglePrimary(values, touched, attribute.label);
  if (values.length === 0) unassign(attribute);
  else attribute.container[attribute.key] = values;
}

/** Adds `added` to `values`: a value already there is updated in place, a new one appended. */
function addValues(values: unknown[], added: readonly unknown[], touched: Set<unknown>): void {
  for (const item of added) {
    const index = values.findIndex((existing) => isSameValue(existing, item));
    const existing = index < 0 ? undefined : values[index];
    if (existing === undefined) {
      values.push(item);
      touched.add(item);
    } else if (isPlainObject(existing) && isPlainObject(item)) {
      mergeSubAttributes(existing, item);
      touched.add(existing);
    }
  }
}

function applyAttribute(attribute: AttributeRef, op: PatchOperationType, value: unknown): void {
  const current = currentValue(attribute);
  const { label } = attribute;
  if (op === 'remove') {
    if (value !== undefined && value !== null && Array.isArray(current)) {
      const removals = asList(value);
      if (removals.some((removal) => isPlainObject(removal) && Object.keys(removal).length === 0)) {
        throw new ScimProtocolError('invalidValue', `${label}: a value to remove cannot be an empty object`);
      }
      const kept = current.filter(
        (existing) => !removals.some((removal) => isNamedByRemoval(existing, removal)),
      );
      writeValues(attribute, kept, new Set());
    } else {
      unassign(attribute);
    }
    return;
  }
  if (op === 'replace' && value === null) {
    unassign(attribute);
    return;
  }
  if (isMultiValued(attribute, current, value)) {
    const existing = op === 'add' && Array.isArray(current) ? [...current] : [];
    const added = asList(value);
    checkSameKind(label, existing, added);
    const touched = new Set<unknown>();
    addValues(existing, added, touched);
    writeValues(attribute, existing, touched);
    return;
  }
  if (isPlainObject(current)) {
    if (!isPlainObject(value)) {
      throw new ScimProtocolError(
        'invalidValue',
        `${label} is complex: the value must be an object of sub-attributes`,
      );
    }
    mergeSubAttributes(current, value);
    if (Object.keys(current).length === 0) unassign(attribute);
    return;
  }
  if (current !== undefined && current !== null && typeof value === 'object') {
    throw new ScimProtocolError(
      'invalidValue',
      `${label} is a simple attribute: the value cannot be an object`,
    );
  }
  if (isPlainObject(value)) {
    const created: Record<string, unknown> = {};
    mergeSubAttributes(created, value);
    if (Object.keys(created).length > 0) attribute.container[attribute.key] = created;
    return;
  }
  attribute.container[attribute.key] = value;
}

/** Sets or removes one sub-attribute of a complex value; true when the value is left empty. */
function writeSubAttribute(
  label: string,
  complex: Record<string, unknown>,
  subAttr: string,
  op: PatchOperationType,
  value: unknown,
): boolean {
  const key = findKey(complex, subAttr) ?? subAttr;
  if (op === 'remove' || value === null) {
    delete complex[key];
  } else {
    if (isPlainObject(value)) {
      throw new ScimProtocolError('invalidValue', `${label}: a sub-attribute's value cannot be an object`);
    }
    complex[key] = value;
  }
  return Object.keys(complex).length === 0;
}

function applySubAttribute(
  attribute: AttributeRef,
  subAttr: string,
  op: PatchOperationType,
  value: unknown,
): void {
  const current = currentValue(attribute);
  const { label } = attribute;
  if (current === undefined || current === null) {
    if (op === 'remove' || value === null) return;
    if (isMultiValued(attribute, current, undefined)) {
      throw new ScimProtocolError('noTarget', `${label}: ${attribute.name} has no values`);
    }
    const created: Record<string, unknown> = {};
    writeSubAttribute(label, created, subAttr, op, value);
    attribute.container[attribute.key] = created;
    return;
  }
  if (Array.isArray(current)) {
    // `emails.type` without a filter names the sub-attribute of every value (RFC 7644 section 3.10).
    if (current.length === 0 && op === 'remove') return;
    updateMatchedValues(
      attribute,
      current,
      current.map((_, index) => index),
      subAttr,
      op,
      value,
    );
    return;
  }
  if (!isPlainObject(current)) {
    throw new ScimProtocolError(
      'invalidPath',
      `${label}: ${attribute.name} is a simple attribute and has no sub-attribute ${subAttr}`,
    );
  }
  if (writeSubAttribute(label, current, subAttr, op, value)) unassign(attribute);
}

/**
 * Changes the values at `indexes` of a multi-valued attribute: their sub-attribute when `subAttr` is
 * given, else the whole value (replaced, merged for add, or dropped for remove).
 */
function updateMatchedValues(
  attribute: AttributeRef,
  current: readonly unknown[],
  indexes: readonly number[],
  subAttr: string | undefined,
  op: PatchOperationType,
  value: unknown,
): void {
  const { label } = attribute;
  if (indexes.length === 0) {
    throw new ScimProtocolError('noTarget', `${label}: no value matched`);
  }
  const selected = new Set(indexes);
  const values: unknown[] = [];
  const touched = new Set<unknown>();
  current.forEach((item, index) => {
    if (!selected.has(index)) {
      values.push(item);
      return;
    }
    if (subAttr !== undefined) {
      if (!isPlainObject(item)) {
        throw new ScimProtocolError(
          'invalidPath',
          `${label}: the values of ${attribute.name} are simple and have no sub-attribute ${subAttr}`,
        );
      }
      if (!writeSubAttribute(label, item, subAttr, op, value)) {
        values.push(item);
        touched.add(item);
      }
      return;
    }
    if (op === 'remove') return;
    if (op === 'replace') {
      if (isPlainObject(item) !== isPlainObject(value) || Array.isArray(value) || value === null) {
        throw new ScimProtocolError(
          'invalidValue',
          `${label}: the new value must have the same kind as the one it replaces`,
        );
      }
      const replacement = structuredClone(value);
      values.push(replacement);
      touched.add(replacement);
      return;
    }
    if (!isPlainObject(item) || !isPlainObject(value)) {
      throw new ScimProtocolError(
        'invalidValue',
        `${label}: adding to a filtered value needs an object of sub-attributes`,
      );
    }
    mergeSubAttributes(item, value);
    values.push(item);
    touched.add(item);
  });
  writeValues(attribute, values, touched);
}

function applyFiltered(
  attribute: AttributeRef,
  valueFilter: FilterNode,
  subAttr: string | undefined,
  op: PatchOperationType,
  value: unknown,
  options: ResolvedApplyPatchOptions,
): void {
  const current = currentValue(attribute);
  const { label } = attribute;
  if (current !== undefined && current !== null && !Array.isArray(current)) {
    throw new ScimProtocolError('invalidPath', `${label}: a value filter needs a multi-valued attribute`);
  }
  const values: readonly unknown[] = Array.isArray(current) ? current : [];
  const matchOptions = { caseExact: options.caseExact, within: { ...attribute.path, attr: attribute.name } };
  const indexes: number[] = [];
  values.forEach((item, index) => {
    const element = isPlainObject(item) ? item : { value: item };
    if (matchesFilter(valueFilter, element, matchOptions)) indexes.push(index);
  });
  if (indexes.length === 0 && op === 'add') {
    appendFromFilter(attribute, values, valueFilter, subAttr, value);
    return;
  }
  updateMatchedValues(attribute, values, indexes, subAttr, op, value);
}

/**
 * `add` with a value filter that matched nothing: appends the value the filter describes, when the
 * filter is `eq` comparisons joined by `and` (`emails[type eq "work"].value` with `"a@x"` appends
 * `{ type: 'work', value: 'a@x' }`). Any other filter: `noTarget`.
 */
function appendFromFilter(
  attribute: AttributeRef,
  values: readonly unknown[],
  valueFilter: FilterNode,
  subAttr: string | undefined,
  value: unknown,
): void {
  const { label } = attribute;
  const created = equalityTemplate(valueFilter);
  if (created === undefined) throw new ScimProtocolError('noTarget', `${label}: no value matched`);
  if (subAttr !== undefined) {
    writeSubAttribute(label, created, subAttr, 'add', value);
  } else {
    if (!isPlainObject(value)) {
      throw new ScimProtocolError('invalidValue', `${label}: the value must be an object of sub-attributes`);
    }
    mergeSubAttributes(created, value);
  }
  checkSameKind(label, values, [created]);
  writeValues(attribute, [...values, created], new Set([created]));
}

/** The sub-attributes an `eq`/`and` filter pins down, or `undefined` for any other filter. */
function equalityTemplate(node: FilterNode): Record<string, unknown> | undefined {
  if (node.type === 'compare') {
    if (
      node.op !== 'eq' ||
      node.value === null ||
      node.path.schema !== undefined ||
      node.path.subAttr !== undefined
    ) {
      return undefined;
    }
    return { [node.path.attr]: node.value };
  }
  if (node.type !== 'and') return undefined;
  const left = equalityTemplate(node.left);
  const right = equalityTemplate(node.right);
  if (left === undefined || right === undefined) return undefined;
  for (const key of Object.keys(right)) {
    const existing = findKey(left, key);
    if (existing !== undefined && left[existing] !== right[key]) return undefined;
  }
  const merged = { ...left };
  mergeSubAttributes(merged, right);
  return merged;
}
