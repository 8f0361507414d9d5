/**
 * The `attributes` and `excludedAttributes` query parameters (RFC 7644 section 3.4.2.5) as
 * {@link ScimTestServer} applies them.
 */
import { findKey, isCoreSchema, isPlainObject, parseAttributePath } from '../scim/attributes';
import type { AttributePath } from '../scim/filter/ast';

/** Attributes returned whatever `attributes`/`excludedAttributes` say (`returned: always`). */
const ALWAYS_RETURNED = ['id', 'schemas'];

/** One requested name. */
interface SelectionEntry {
  /** The name as written, e.g. a bare extension URN naming the whole extension object. */
  readonly raw: string;
  /** The name as an attribute path, `undefined` for a bare URN that is not one. */
  readonly path: AttributePath | undefined;
}

/** A parsed `attributes` or `excludedAttributes` list. */
export interface AttributeSelection {
  readonly mode: 'include' | 'exclude';
  readonly entries: readonly SelectionEntry[];
}

function parseEntry(raw: string): SelectionEntry {
  // A bare extension URN (`urn:…:enterprise:2.0:User`) names the whole extension object; it may
  // also parse as a path (schema `urn:…:2.0`, attribute `User`), which is tried when no key matches.
  if (/^urn:/i.test(raw)) {
    try {
      return { raw, path: parseAttributePath(raw) };
    } catch {
      return { raw, path: undefined };
    }
  }
  return { raw, path: parseAttributePath(raw) };
}

/**
 * Parses `attributes` / `excludedAttributes` (comma-separated strings, or arrays as in a
 * SearchRequest). `attributes` wins when both are given, as RFC 7644 lets a service choose.
 *
 * @throws ScimProtocolError `invalidPath` (400) for a name that is not an attribute path.
 */
export function parseAttributeSelection(
  attributes: string | readonly string[] | undefined,
  excludedAttributes: string | readonly string[] | undefined,
): AttributeSelection | undefined {
  const split = (value: string | readonly string[]) =>
    (typeof value === 'string' ? value.split(',') : value)
      .map((part) => part.trim())
      .filter((part) => part !== '');
  if (attributes !== undefined) {
    const entries = split(attributes).map(parseEntry);
    if (entries.length > 0) return { mode: 'include', entries };
  }
  if (excludedAttributes !== undefined) {
    const entries = split(excludedAttributes).map(parseEntry);
    if (entries.length > 0) return { mode: 'exclude', entries };
  }
  return undefined;
}

/** Where an entry points in a resource. */
interface Target {
  /** The key of the extension object holding the attribute, or `undefined` for the resource itself. */
  readonly extensionKey: string | undefined;
  /** The attribute's key in its container, or `undefined` when the whole extension is named. */
  readonly key: string | undefined;
  readonly subAttr: string | undefined;
}

function locate(resource: Record<string, unknown>, entry: SelectionEntry): Target | undefined {
  if (/^urn:/i.test(entry.raw)) {
    const whole = findKey(resource, entry.raw);
    if (whole !== undefined && isPlainObject(resource[whole])) {
      return { extensionKey: whole, key: undefined, subAttr: undefined };
    }
  }
  const path = entry.path;
  if (path === undefined) return undefined;
  let container = resource;
  let extensionKey: string | undefined;
  if (path.schema !== undefined && !isCoreSchema(path.schema)) {
    extensionKey = findKey(resource, path.schema);
    const extension = extensionKey === undefined ? undefined : resource[extensionKey];
    if (!isPlainObject(extension)) return undefined;
    container = extension;
  }
  const key = findKey(container, path.attr);
  if (key === undefined) return undefined;
  return { extensionKey, key, subAttr: path.subAttr };
}

/** Applies a selection to a rendered resource, giving a new object (the input is not changed). */
export function applyAttributeSelection(
  resource: Record<string, unknown>,
  selection: AttributeSelection | undefined,
): Record<string, unknown> {
  if (selection === undefined) return resource;
  return selection.mode === 'include'
    ? include(resource, selection.entries)
    : exclude(resource, selection.entries);
}

function include(
  resource: Record<string, unknown>,
  entries: readonly SelectionEntry[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of ALWAYS_RETURNED) {
    if (resource[name] !== undefined) out[name] = resource[name];
  }
  for (const entry of entries) {
    const target = locate(resource, entry);
    if (target === undefined) continue;
    const { extensionKey, key, subAttr } = target;
    if (key === undefined) {
      if (extensionKey !== undefined) out[extensionKey] = resource[extensionKey];
      continue;
    }
    let container = resource;
    let into = out;
    if (extensionKey !== undefined) {
      container = resource[extensionKey] as Record<string, unknown>;
      const existing = out[extensionKey];
      into = isPlainObject(existing) ? existing : {};
      out[extensionKey] = into;
    }
    const value = container[key];
    if (subAttr === undefined) into[key] = value;
    else {
      const picked = pickSubAttribute(value, subAttr, into[key]);
      if (picked !== undefined) into[key] = picked;
    }
  }
  return out;
}

/** Keeps only `subAttr` of a complex value, or of each value of a multi-valued attribute. */
function pickSubAttribute(value: unknown, subAttr: string, already: unknown): unknown {
  if (Array.isArray(value)) {
    const previous: unknown[] = Array.isArray(already) ? already : [];
    return value.map((item, index) => {
      if (!isPlainObject(item)) return item;
      const key = findKey(item, subAttr);
      const earlier = previous[index];
      const base = isPlainObject(earlier) ? earlier : {};
      return key === undefined ? base : { ...base, [key]: item[key] };
    });
  }
  if (!isPlainObject(value)) return undefined;
  const key = findKey(value, subAttr);
  const base = isPlainObject(already) ? already : {};
  return key === undefined ? base : { ...base, [key]: value[key] };
}

function exclude(
  resource: Record<string, unknown>,
  entries: readonly SelectionEntry[],
): Record<string, unknown> {
  let out: Record<string, unknown> = { ...resource };
  for (const entry of entries) {
    const target = locate(out, entry);
    if (target === undefined) continue;
    const { extensionKey, key, subAttr } = target;
    if (extensionKey === undefined) {
      if (key === undefined || (subAttr === undefined && ALWAYS_RETURNED.includes(key))) continue;
      out = excludeFrom(out, key, subAttr);
    } else if (key === undefined) {
      const { [extensionKey]: _removed, ...rest } = out;
      out = rest;
    } else {
      out = {
        ...out,
        [extensionKey]: excludeFrom(out[extensionKey] as Record<string, unknown>, key, subAttr),
      };
    }
  }
  return out;
}

function excludeFrom(
  container: Record<string, unknown>,
  key: string,
  subAttr: string | undefined,
): Record<string, unknown> {
  const { [key]: value, ...rest } = container;
  if (subAttr === undefined) return rest;
  const strip = (item: unknown) => {
    if (!isPlainObject(item)) return item;
    const subKey = findKey(item, subAttr);
    if (subKey === undefined) return item;
    const { [subKey]: _removed, ...kept } = item;
    return kept;
  };
  return { ...container, [key]: Array.isArray(value) ? value.map(strip) : strip(value) };
}
