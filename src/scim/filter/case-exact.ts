/**
 * Which attributes compare case-sensitively when no schema says otherwise.
 */
import { isCoreSchema } from '../attributes';
import type { AttributePath } from './ast';

/**
 * The caseExact rule of RFC 7643 for the attributes of its core and enterprise schemas: true for
 * `id`, `externalId`, every `$ref` (`members.$ref`, `manager.$ref`, …), `meta.location`,
 * `meta.version`, `x509Certificates.value` and `password`; false for everything else, `userName`
 * and `displayName` included. Names are compared case-insensitively. `id`, `externalId` and `meta`
 * count only as top-level attributes (no schema, or a core schema).
 *
 * @example
 * ```ts
 * defaultCaseExact({ attr: 'id' }); // true
 * defaultCaseExact({ attr: 'userName' }); // false
 * ```
 */
export function defaultCaseExact(path: AttributePath): boolean {
  const attr = path.attr.toLowerCase();
  const subAttr = path.subAttr?.toLowerCase();
  if (attr === '$ref' || subAttr === '$ref') return true;
  const topLevel = path.schema === undefined || isCoreSchema(path.schema);
  if (subAttr === undefined) {
    if (attr === 'password') return true;
    return topLevel && (attr === 'id' || attr === 'externalid');
  }
  if (attr === 'meta') return topLevel && (subAttr === 'location' || subAttr === 'version');
  return attr === 'x509certificates' && subAttr === 'value';
}
