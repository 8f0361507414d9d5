/**
 * Turns stored records into the SCIM resources {@link ScimTestServer} returns.
 */
import { findKey, isPlainObject } from '../scim/attributes';
import { SCHEMAS } from '../scim/schemas';
import { type ResourceStore, readAttribute, type StoredResource } from './store';

/** What rendering needs to know about the server. */
export interface RenderContext {
  /** The base URL, e.g. `http://127.0.0.1:4711/scim/v2`. */
  readonly baseUrl: string;
  /** False under the `noEtags` quirk: no `meta.version`. */
  readonly etags: boolean;
}

/** The weak ETag of a record: `W/"<version>"`. */
export function etagOf(record: StoredResource): string {
  return `W/"${record.version}"`;
}

/** `<baseUrl>/Users/<id>` or `<baseUrl>/Groups/<id>`. */
export function locationOf(baseUrl: string, record: Pick<StoredResource, 'resourceType' | 'id'>): string {
  return `${baseUrl}/${record.resourceType === 'User' ? 'Users' : 'Groups'}/${encodeURIComponent(record.id)}`;
}

function withoutKey(data: Record<string, unknown>, name: string): Record<string, unknown> {
  const key = findKey(data, name);
  if (key === undefined) return data;
  const { [key]: _removed, ...rest } = data;
  return rest;
}

/**
 * The full SCIM representation of a record: `schemas`, `id`, the stored attributes, a user's
 * computed `groups` (direct and indirect memberships), group members' `$ref` and `type`, and
 * `meta`. The top-level object and the members are new; other nested values are the store's own,
 * so a caller that hands the result to user code must copy it (HTTP answers are serialised).
 */
export function renderResource(
  store: ResourceStore,
  record: StoredResource,
  context: RenderContext,
): Record<string, unknown> {
  const schemasKey = findKey(record.data, 'schemas');
  const declared = schemasKey === undefined ? undefined : record.data[schemasKey];
  const coreSchema = record.resourceType === 'User' ? SCHEMAS.User : SCHEMAS.Group;
  const schemas = Array.isArray(declared) && declared.length > 0 ? declared : [coreSchema];
  const attributes = withoutKey(record.data, 'schemas');

  const resource: Record<string, unknown> = { schemas, id: record.id, ...attributes };
  if (record.resourceType === 'User') {
    const groups = renderGroupsOf(store, record.id, context.baseUrl);
    if (groups.length > 0) resource.groups = groups;
  } else {
    const membersKey = findKey(resource, 'members');
    const members = membersKey === undefined ? undefined : resource[membersKey];
    if (membersKey !== undefined && Array.isArray(members)) {
      resource[membersKey] = members.map((member) => renderMember(store, member, context.baseUrl));
    }
  }
  resource.meta = {
    resourceType: record.resourceType,
    created: record.created,
    lastModified: record.lastModified,
    location: locationOf(context.baseUrl, record),
    ...(context.etags ? { version: etagOf(record) } : {}),
  };
  return resource;
}

function renderMember(store: ResourceStore, member: unknown, baseUrl: string): unknown {
  if (!isPlainObject(member)) return member;
  const value = readAttribute(member, 'value');
  const target = typeof value === 'string' ? store.get(value) : undefined;
  if (target === undefined) return { ...member };
  const rendered: Record<string, unknown> = { ...withoutKey(withoutKey(member, '$ref'), 'type') };
  rendered.$ref = locationOf(baseUrl, target);
  rendered.type = target.resourceType;
  return rendered;
}

/** A user's read-only `groups` attribute (RFC 7643 section 4.1.2): direct, then indirect memberships. */
function renderGroupsOf(store: ResourceStore, userId: string, baseUrl: string): Record<string, unknown>[] {
  const direct = store.directGroupsOf(userId);
  if (direct === undefined || direct.size === 0) return [];
  const out: Record<string, unknown>[] = [];
  const add = (groupId: string, type: 'direct' | 'indirect') => {
    const group = store.groups.get(groupId);
    if (group === undefined) return;
    const display = readAttribute(group.data, 'displayName');
    out.push({
      value: group.id,
      $ref: locationOf(baseUrl, group),
      ...(typeof display === 'string' ? { display } : {}),
      type,
    });
  };
  for (const groupId of direct) add(groupId, 'direct');
  for (const groupId of store.indirectGroupsOf(userId)) add(groupId, 'indirect');
  return out;
}
