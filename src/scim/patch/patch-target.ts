/**
 * @internal Where a PATCH operation's `path` points in a resource: which object holds the attribute
 * (the resource, or an extension object), the attribute, and the value filter and sub-attribute.
 */
import { findKey, isCoreSchema, isPlainObject, splitAttributePath } from '../attributes';
import { isScimProtocolError, ScimProtocolError } from '../errors/ScimProtocolError';
import type { FilterNode } from '../filter/ast';
import { parsePatchPath } from '../filter/patch-path';
import { SCHEMAS } from '../schemas';

/** The place a PATCH path (or a key of a path-less operation's value) names. */
export interface PatchTarget {
  /** The attribute as written in the path (its spelling is used when it is created). */
  readonly attr: string;
  /**
   * The extension schema URN when the attribute lives in an extension object
   * (`urn:…:enterprise:2.0:User:manager`), or when the path names the extension object itself.
   */
  readonly extension?: string;
  /** True when the path is an extension URN alone: the target is the extension object itself. */
  readonly wholeExtension: boolean;
  /** The sub-attribute: `name.familyName`, or `emails[type eq "work"].value`. */
  readonly subAttr?: string;
  /** The value filter between brackets: `members[value eq "2819c223"]`. */
  readonly valueFilter?: FilterNode;
  /** The path as written, for error messages. */
  readonly label: string;
}

/** The schemas a resource declares, as written. */
export function declaredSchemas(resource: Record<string, unknown>): string[] {
  const key = findKey(resource, 'schemas');
  const schemas = key === undefined ? undefined : resource[key];
  return Array.isArray(schemas) ? schemas.filter((s): s is string => typeof s === 'string') : [];
}

/**
 * True when `text` is the URN of a core schema the resource declares in `schemas` (or, when it
 * declares none, of User or Group): a path or a path-less value key that names the resource itself.
 */
export function namesResourceItself(resource: Record<string, unknown>, text: string): boolean {
  if (!isCoreSchema(text)) return false;
  const lower = text.toLowerCase();
  const declaredCore = declaredSchemas(resource).filter(isCoreSchema);
  const known = declaredCore.length > 0 ? declaredCore : [SCHEMAS.User, SCHEMAS.Group];
  return known.some((schema) => schema.toLowerCase() === lower);
}

/**
 * The extension URN `text` names, when `text` is an extension schema URN alone (not an attribute
 * inside it), spelled as the resource already spells it:
 *
 * - a key of the resource whose value is an object (`"urn:…:enterprise:2.0:User": { … }`);
 * - an entry of the resource's `schemas` that is not a core schema;
 * - the enterprise User extension URN of RFC 7643;
 * - otherwise a URN whose last segment starts with an upper-case letter (`urn:acme:2.0:Device`): schema
 *   names are written that way (`User`, `Group`) and attribute names are not (`userName`, `manager`).
 *
 * `undefined` for anything else, which is then read as an attribute path.
 */
export function extensionNamedBy(resource: Record<string, unknown>, text: string): string | undefined {
  if (!text.includes(':') || isCoreSchema(text)) return undefined;
  const key = findKey(resource, text);
  if (key !== undefined && isPlainObject(resource[key])) return key;
  const lower = text.toLowerCase();
  const declared = declaredSchemas(resource).find((schema) => schema.toLowerCase() === lower);
  if (declared !== undefined) return declared;
  if (SCHEMAS.EnterpriseUser.toLowerCase() === lower) return SCHEMAS.EnterpriseUser;
  const parsed = splitAttributePath(text);
  if (typeof parsed === 'string' || parsed.schema === undefined || parsed.subAttr !== undefined)
    return undefined;
  if (!/^[A-Z]/.test(parsed.attr) || isCoreSchema(parsed.schema)) return undefined;
  const schemaKey = findKey(resource, parsed.schema);
  if (schemaKey !== undefined && isPlainObject(resource[schemaKey])) return undefined;
  return text;
}

/**
 * Resolves a PATCH `path` (RFC 7644 section 3.5.2: `attrPath` or `valuePath ["." subAttr]`, possibly
 * URN-qualified) against `resource`.
 *
 * @param allowFilter false for the keys of a path-less operation's value, which are attribute paths only.
 * @throws ScimProtocolError `invalidPath` when the path does not parse, or names a core schema the
 *   resource does not have (a Group attribute on a User).
 */
export function resolvePatchTarget(
  resource: Record<string, unknown>,
  text: string,
  allowFilter = true,
): PatchTarget {
  const extension = extensionNamedBy(resource, text);
  if (extension !== undefined) return { attr: extension, extension, wholeExtension: true, label: text };
  const parsed = parsePathText(text, allowFilter);
  const { schema, attr } = parsed.path;
  const subAttr = parsed.valueFilter === undefined ? parsed.path.subAttr : parsed.subAttr;
  const base = {
    attr,
    wholeExtension: false,
    label: text,
    ...(subAttr === undefined ? {} : { subAttr }),
    ...(parsed.valueFilter === undefined ? {} : { valueFilter: parsed.valueFilter }),
  };
  if (schema === undefined || namesResourceItself(resource, schema)) return base;
  if (isCoreSchema(schema)) {
    throw new ScimProtocolError(
      'invalidPath',
      `Path ${JSON.stringify(text)} names schema ${schema}, which the resource does not have`,
    );
  }
  const key = findKey(resource, schema);
  return { ...base, extension: key !== undefined && isPlainObject(resource[key]) ? key : schema };
}

function parsePathText(
  text: string,
  allowFilter: boolean,
): { path: { schema?: string; attr: string; subAttr?: string }; valueFilter?: FilterNode; subAttr?: string } {
  if (!allowFilter) {
    const parsed = splitAttributePath(text);
    if (typeof parsed === 'string') {
      throw new ScimProtocolError('invalidPath', `Invalid attribute ${JSON.stringify(text)}: ${parsed}`);
    }
    return { path: parsed };
  }
  try {
    return parsePatchPath(text);
  } catch (error) {
    if (isScimProtocolError(error)) {
      throw new ScimProtocolError('invalidPath', error.message, { cause: error });
    }
    throw error;
  }
}
