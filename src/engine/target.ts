/**
 * What the engine needs of a SCIM service: the subset of `ScimClient` it calls. The engine talks to
 * the target only through this interface, so a host can hand it a `ScimClient`, an `AqueraClient`,
 * or its own implementation (a recorder, a proxy, another transport).
 *
 * @module
 */
import type { PatchOperation } from '../scim/models/patch-op';
import type { ScimSchema } from '../scim/models/schema';
import type { ScimGroupMemberLike } from '../scim/patch/group-like';

/** A SCIM resource as the engine reads and writes it: a JSON object with an optional `id`. */
export interface TargetResource {
  id?: string | undefined;
  schemas?: string[] | undefined;
  [attribute: string]: unknown;
}

/** A User as the target returns it (`userName` is required by RFC 7643). */
export interface TargetUser extends TargetResource {
  userName: string;
}

/** A Group as the target returns it. */
export interface TargetGroup extends TargetResource {
  displayName: string;
  members?: { value: string; type?: string | undefined; display?: string | undefined }[] | undefined;
}

/** Options the engine passes with every call. */
export interface TargetCallOptions {
  /** Aborts the call (the engine's `sync({ signal })`). */
  readonly signal?: AbortSignal;
}

/** Options of a listing. */
export interface TargetListOptions extends TargetCallOptions {
  /** Only resources matching this SCIM filter (the target may filter, or the client locally). */
  readonly filter?: string;
  /** Resources asked for per page. */
  readonly pageSize?: number;
}

/** A member to add to a group: its target id, or `{ value, type }`. */
export type TargetMemberInput = string | ScimGroupMemberLike;

/** What the engine needs to know about the target's abilities (a subset of `Capabilities`). */
export interface TargetCapabilities {
  /** The target's `/Schemas`, when it publishes them; the mapping is checked against them. */
  readonly schemas: readonly ScimSchema[] | undefined;
  /** Whether the target filters (`undefined`: it did not say). */
  readonly filter: { readonly supported: boolean | undefined };
}

/** `/Users` as the engine uses it. */
export interface TargetUsers {
  /** `POST /Users`; a `409` is a `ScimConflictError` with the existing user in `existing` when found. */
  create(user: TargetUser, options?: TargetCallOptions): Promise<TargetUser>;
  /** `GET /Users/{id}`; a missing user is a `ScimHttpError` with status 404. */
  get(id: string, options?: TargetCallOptions): Promise<TargetUser>;
  /** `PUT /Users/{id}`. */
  replace(id: string, user: TargetUser, options?: TargetCallOptions): Promise<TargetUser>;
  /** `DELETE /Users/{id}`. */
  delete(id: string, options?: TargetCallOptions): Promise<void>;
  /** The user with this `userName` (case-insensitive), or `undefined`. */
  findByUserName(userName: string, options?: TargetCallOptions): Promise<TargetUser | undefined>;
  /** Every user (or those matching `filter`), page after page; never a silently short list. */
  list(options?: TargetListOptions): AsyncIterable<TargetUser>;
  /**
   * How many users the target holds (`totalResults` of a `count=1` listing). Optional: when it is
   * there, the engine uses it to choose between one listing and one lookup per new user; without
   * it, the engine reads the listing within the budget the lookups would cost.
   */
  count?(options?: TargetCallOptions): Promise<number | undefined>;
}

/** `/Groups` as the engine uses it. */
export interface TargetGroups {
  /** `POST /Groups`. */
  create(group: TargetGroup, options?: TargetCallOptions): Promise<TargetGroup>;
  /** `GET /Groups/{id}`. */
  get(id: string, options?: TargetCallOptions): Promise<TargetGroup>;
  /** `PUT /Groups/{id}`. */
  replace(id: string, group: TargetGroup, options?: TargetCallOptions): Promise<TargetGroup>;
  /** `PATCH /Groups/{id}`, or GET + local apply + PUT where the target has no PATCH. */
  patch(
    id: string,
    operations: readonly PatchOperation[],
    options?: TargetCallOptions,
  ): Promise<TargetGroup | undefined>;
  /** `DELETE /Groups/{id}`. */
  delete(id: string, options?: TargetCallOptions): Promise<void>;
  /** The group with this `displayName` (case-insensitive), or `undefined`. */
  findByDisplayName(displayName: string, options?: TargetCallOptions): Promise<TargetGroup | undefined>;
  /** Every group, page after page. */
  list(options?: TargetListOptions): AsyncIterable<TargetGroup>;
  /** Adds members (PATCH `add`, or the client's PUT fallback). */
  addMembers(
    groupId: string,
    members: readonly TargetMemberInput[],
    options?: TargetCallOptions,
  ): Promise<void>;
  /** Removes members by target id (PATCH `remove`, or the client's PUT fallback). */
  removeMembers(groupId: string, memberIds: readonly string[], options?: TargetCallOptions): Promise<void>;
  /** Makes the members exactly these (reads the group first). */
  setMembers(
    groupId: string,
    members: readonly TargetMemberInput[],
    options?: TargetCallOptions,
  ): Promise<void>;
  /** How many groups the target holds; see {@link TargetUsers.count}. */
  count?(options?: TargetCallOptions): Promise<number | undefined>;
}

/**
 * The SCIM service the engine provisions: the subset of `ScimClient` it calls. `ScimClient` and
 * `AqueraClient` satisfy it as they are.
 *
 * Besides these members, the engine listens to the target's `fallback` and `request` events when
 * it is an event emitter (as `ScimClient` is): fallbacks are re-emitted as the engine's `fallback`
 * event and requests are counted in `SyncReport.requests`.
 *
 * @example
 * ```ts
 * const client: ProvisioningTarget = new ScimClient({ baseUrl, auth: { type: 'bearer', token } });
 * const engine = new ProvisioningEngine({ datastore, client, mapping });
 * ```
 */
export interface ProvisioningTarget {
  readonly users: TargetUsers;
  readonly groups: TargetGroups;
  /**
   * The SCIM base URL; the state is bound to it (see `targetFingerprint`) unless the engine is
   * given a `targetId`.
   */
  readonly baseUrl?: string;
  /**
   * Reads `/ServiceProviderConfig`, `/Schemas` and `/ResourceTypes`. Called once, before the first
   * lookup or write: the mapping is checked against the schemas, and a target that does not filter
   * is listed once instead of queried per object.
   */
  discover?(options?: TargetCallOptions): Promise<TargetCapabilities>;
  /** Opens a sync scope (the client keeps listings it falls back to for the cycle). */
  beginSync?(): void;
  /** Closes the scope opened by {@link ProvisioningTarget.beginSync}. */
  endSync?(): void;
}
