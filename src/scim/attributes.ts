/**
 * SCIM attribute paths (RFC 7644 section 3.10) and case-insensitive attribute lookup on resources.
 *
 * SCIM attribute names are case-insensitive (RFC 7643 section 2.1): `userName`, `USERNAME` and
 * `username` name the same attribute. These helpers read resources that way while leaving the
 * resource's own spelling alone.
 */
import { ScimProtocolError } from './errors/ScimProtocolError';
import type { AttributePath } from './filter/ast';

/**
 * An attribute name: `ATTRNAME = ALPHA *(nameChar)`, `nameChar = "-" / "_" / DIGIT / ALPHA`
 * (RFC 7643 section 2.1), plus the `$ref` spelling RFC 7643 uses for reference sub-attributes.
 */
const ATTRIBUTE_NAME = /^(?:\$ref|[A-Za-z][A-Za-z0-9_-]*)$/i;

/** A URI that can qualify a path: a scheme, a colon, then no whitespace, quotes, brackets or parens. */
const SCHEMA_URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s"()[\]]+$/;

/** The prefix of the core schemas of RFC 7643 (User, Group, and the configuration resources). */
const CORE_SCHEMA_PREFIX = 'urn:ietf:params:scim:schemas:core:2.0:';

/** True when `text` can be the schema URI of a qualified path (`urn:…:enterprise:2.0:User`). */
export function isSchemaUri(text: string): boolean {
  return SCHEMA_URI.test(text);
}

/** True when `name` is a valid attribute name (`userName`, `name`, `$ref`, `x-custom_1`). */
export function isAttributeName(name: string): boolean {
  return ATTRIBUTE_NAME.test(name);
}

/**
 * Finds the key of `obj` that names attribute `name`, ignoring case. An exact match wins over a
 * case-insensitive one; among several case-insensitive matches the first own key in insertion
 * order wins. Only own enumerable keys are considered.
 *
 * @returns the key as spelled in `obj`, or `undefined` when no key matches.
 * @example
 * ```ts
 * findKey({ userName: 'bjensen' }, 'USERNAME'); // 'userName'
 * ```
 */
export function findKey(obj: Record<string, unknown>, name: string): string | undefined {
  if (Object.hasOwn(obj, name)) return name;
  const lower = name.toLowerCase();
  for (const key of Object.keys(obj)) {
    if (key.toLowerCase() === lower) return key;
  }
  return undefined;
}

/**
 * Splits an attribute path without throwing.
 *
 * @internal Shared with the filter lexer, which reports its own error kind and position.
 * @returns the path, or a sentence saying what is wrong with `text`.
 */
export function splitAttributePath(text: string): AttributePath | string {
  if (text === '') return 'the attribute path is empty';
  let schema: string | undefined;
  let rest = text;
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0) {
    schema = text.slice(0, lastColon);
    rest = text.slice(lastColon + 1);
    if (!isSchemaUri(schema)) return `"${schema}" is not a schema URI`;
  }
  const parts = rest.split('.');
  if (parts.length > 2) return `"${text}" has more than one sub-attribute`;
  const [attr = '', subAttr] = parts;
  if (!isAttributeName(attr)) {
    return attr === '' ? `"${text}" has no attribute name` : `"${attr}" is not a valid attribute name`;
  }
  if (subAttr !== undefined && !isAttributeName(subAttr)) {
    return subAttr === '' ? `"${text}" ends with "."` : `"${subAttr}" is not a valid sub-attribute name`;
  }
  return {
    ...(schema === undefined ? {} : { schema }),
    attr,
    ...(subAttr === undefined ? {} : { subAttr }),
  };
}

/**
 * Parses an attribute path: `[schemaUrn ":"] attr ["." subAttr]` (RFC 7644 section 3.10).
 *
 * When the text contains a colon, the schema URN is everything before the last colon, so
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value` gives
 * `{ schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', attr: 'manager', subAttr: 'value' }`.
 * Names keep the spelling they were written with.
 *
 * @throws ScimProtocolError with scimType `invalidPath` when `text` is not an attribute path
 *   (empty, a bad name, more than one sub-attribute, a value filter, spaces).
 * @example
 * ```ts
 * parseAttributePath('name.familyName'); // { attr: 'name', subAttr: 'familyName' }
 * ```
 */
export function parseAttributePath(text: string): AttributePath {
  const result = splitAttributePath(text);
  if (typeof result === 'string') {
    throw new ScimProtocolError('invalidPath', `Invalid attribute path ${JSON.stringify(text)}: ${result}`);
  }
  return result;
}

/**
 * Writes an attribute path back as text: `[schema ":"] attr ["." subAttr]`.
 * `stringifyAttributePath(parseAttributePath(s))` gives `s` back for every valid `s`.
 */
export function stringifyAttributePath(path: AttributePath): string {
  const qualified = path.schema === undefined ? path.attr : `${path.schema}:${path.attr}`;
  return path.subAttr === undefined ? qualified : `${qualified}.${path.subAttr}`;
}

/**
 * True when `schema` is one of the core schemas of RFC 7643
 * (`urn:ietf:params:scim:schemas:core:2.0:User`, `…:Group`, …), compared case-insensitively.
 */
export function isCoreSchema(schema: string): boolean {
  return schema.toLowerCase().startsWith(CORE_SCHEMA_PREFIX);
}

/** True for a non-null object that is not an array. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The object whose keys hold `path.attr`, found case-insensitively:
 *
 * - no `path.schema`: the resource itself;
 * - `path.schema` matching (case-insensitively) a key of the resource whose value is an object:
 *   that object (an extension such as `urn:…:enterprise:2.0:User`);
 * - `path.schema` a core schema (`urn:ietf:params:scim:schemas:core:2.0:…`): the resource itself,
 *   unless the resource's `schemas` array names other core schemas but not this one (a `Group`
 *   path against a `User`), then `undefined`;
 * - anything else (an extension the resource has no object for): `undefined`.
 *
 * Resources whose base schema is not an RFC 7643 core schema are read through unqualified paths.
 * The returned object is the resource's own (not a copy).
 */
export function getAttributeContainer(
  resource: Record<string, unknown>,
  path: AttributePath,
): Record<string, unknown> | undefined {
  const schema = path.schema;
  if (schema === undefined) return resource;
  const extensionKey = findKey(resource, schema);
  if (extensionKey !== undefined) {
    const extension = resource[extensionKey];
    if (isPlainObject(extension)) return extension;
  }
  if (!isCoreSchema(schema)) return undefined;
  const declared = resource.schemas;
  if (Array.isArray(declared)) {
    const cores = declared.filter((s): s is string => typeof s === 'string' && isCoreSchema(s));
    const lower = schema.toLowerCase();
    if (cores.length > 0 && !cores.some((s) => s.toLowerCase() === lower)) return undefined;
  }
  return resource;
}

/**
 * Every value `path` names in `resource`, as a flat list, read case-insensitively:
 *
 * - the attribute missing or `null`: `[]`;
 * - no `subAttr`: a multi-valued attribute (an array) gives its elements, `null` ones left out;
 *   a single-valued attribute gives `[value]` (a complex attribute gives `[theObject]`);
 * - with `subAttr`: the sub-attribute of the attribute's value, or of every element when the
 *   attribute is multi-valued (`emails.type` gives the `type` of each email); elements that are not
 *   objects, and elements without the sub-attribute (or with `null`), contribute nothing; a
 *   sub-attribute that is itself an array contributes its non-null elements.
 *
 * Values are the resource's own (objects are not copied).
 *
 * @example
 * ```ts
 * getAttributeValues(user, parseAttributePath('emails.value')); // ['a@example.com', 'b@example.com']
 * ```
 */
export function getAttributeValues(resource: Record<string, unknown>, path: AttributePath): unknown[] {
  const container = getAttributeContainer(resource, path);
  if (container === undefined) return [];
  const key = findKey(container, path.attr);
  if (key === undefined) return [];
  const values = presentValues(container[key]);
  const subAttr = path.subAttr;
  if (subAttr === undefined) return values;
  const out: unknown[] = [];
  for (const value of values) {
    if (!isPlainObject(value)) continue;
    const subKey = findKey(value, subAttr);
    if (subKey !== undefined) out.push(...presentValues(value[subKey]));
  }
  return out;
}

function presentValues(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.filter((v) => v !== undefined && v !== null);
  return [value];
}
