/**
 * `client.groups`: the `/Groups` endpoint and group membership changes.
 */
import type { PatchOp, PatchOperation, ScimGroup } from '../../scim/models/index';
import { toPatchOps } from '../../scim/patch/chunk';
import { diffGroupMembers } from '../../scim/patch/group-diff';
import type { ScimGroupMemberLike } from '../../scim/patch/group-like';
import { addMembersOps, removeMembersOps } from '../../scim/patch/member-ops';
import type { CallOptions, ClientContext } from '../context';
import { isScimHttpError } from '../errors/ScimHttpError';
import type { ListOptions, ReplaceOptions, ResourceEndpoint } from './endpoint';

/** A member to add: its id, or `{ value: id, type: 'User' | 'Group' }`. */
export type GroupMemberInput = string | ScimGroupMemberLike;

/** `scimType`s of a `400` that mean "I do not read removals written this way". */
const FORM_REJECTIONS = new Set([undefined, 'invalidPath', 'invalidSyntax', 'invalidValue', 'invalidFilter']);
const MAX_PRECONDITION_ATTEMPTS = 3;

/**
 * The groups of a SCIM service (`/Groups`, RFC 7644 section 3) and their members.
 *
 * Membership changes are PATCH requests within the limits of the `groups` option (operations per
 * request, members per operation). Where PATCH is emulated, a change is one GET and one PUT.
 *
 * @example
 * ```ts
 * const group = (await client.groups.findByDisplayName('Tour Guides'))
 *   ?? (await client.groups.create({ displayName: 'Tour Guides' }));
 * await client.groups.setMembers(group.id!, [aliceId, bobId]);
 * ```
 */
export class GroupsResource {
  private readonly endpoint: ResourceEndpoint<ScimGroup>;
  private readonly context: ClientContext;

  /** @internal Made by `ScimClient`. */
  constructor(endpoint: ResourceEndpoint<ScimGroup>, context: ClientContext) {
    this.endpoint = endpoint;
    this.context = context;
  }

  /**
   * Creates a group (`POST /Groups`). When the answer is lost, the group is looked up by
   * `displayName` before any new attempt, so that it is never created twice.
   *
   * @throws ScimConflictError on `409`, with the existing group in `existing` when it could be found.
   */
  create(group: ScimGroup, options?: CallOptions): Promise<ScimGroup> {
    return this.endpoint.create(group, options);
  }

  /** Reads a group by `id` (`GET /Groups/{id}`). */
  get(id: string, options?: CallOptions): Promise<ScimGroup> {
    return this.endpoint.get(id, options);
  }

  /** Replaces a group (`PUT /Groups/{id}`), with `If-Match` when `options.etag` is given. */
  replace(id: string, group: ScimGroup, options?: ReplaceOptions): Promise<ScimGroup> {
    return this.endpoint.replace(id, group, options);
  }

  /**
   * Changes a group with PATCH, or GET + local apply + PUT where the service has no PATCH.
   *
   * @returns the group after the change, or `undefined` when the service answered `204`.
   */
  patch(
    id: string,
    patch: PatchOp | readonly PatchOperation[],
    options?: CallOptions,
  ): Promise<ScimGroup | undefined> {
    return this.endpoint.patch(id, patch, options);
  }

  /** Deletes a group (`DELETE /Groups/{id}`). */
  delete(id: string, options?: CallOptions): Promise<void> {
    return this.endpoint.delete(id, options);
  }

  /**
   * The group with this `displayName` (compared case-insensitively), or `undefined`. One request
   * where the service filters on `displayName`; otherwise every group is listed and matched
   * locally, once per sync while `client.beginSync()` is open.
   */
  findByDisplayName(displayName: string, options?: CallOptions): Promise<ScimGroup | undefined> {
    return this.endpoint.findBy('displayName', displayName, options);
  }

  /**
   * How many groups the service holds: `totalResults` of `GET /Groups?startIndex=1&count=1` (one
   * request), or `undefined` when the service leaves `totalResults` out.
   */
  count(options?: CallOptions): Promise<number | undefined> {
    return this.endpoint.count(options);
  }

  /** Every group (or those matching `options.filter`), page after page. */
  list(options?: ListOptions): AsyncIterable<ScimGroup> {
    return this.endpoint.list(options);
  }

  /**
   * Adds members (`{ op: 'add', path: 'members', value: [...] }`), split into as many PATCH
   * requests as the `groups` limits need. Members already in the group stay as they are.
   */
  async addMembers(
    groupId: string,
    members: readonly GroupMemberInput[],
    options: CallOptions = {},
  ): Promise<void> {
    if (members.length === 0) return;
    const limits = this.context.options.groups;
    if (await this.endpoint.patchIsEmulated(options.signal)) {
      await this.endpoint.emulatePatch(
        groupId,
        addMembersOps(members, { maxMembersPerOperation: Number.POSITIVE_INFINITY }),
        options.signal,
      );
      return;
    }
    const operations = addMembersOps(members, { maxMembersPerOperation: limits.maxMembersPerOperation });
    for (const body of toPatchOps(operations, { maxOperations: limits.maxOperationsPerRequest })) {
      await this.endpoint.patch(groupId, body.Operations, options);
    }
  }

  /**
   * Removes members by id, in the configured removal form (see the `groups.removeForm` option). A
   * service that rejects that form with `400` gets the other form from then on (a `fallback`
   * event). Removing a member that is not in the group is not an error.
   */
  async removeMembers(
    groupId: string,
    memberIds: readonly string[],
    options: CallOptions = {},
  ): Promise<void> {
    const ids = [...new Set(memberIds)];
    if (ids.length === 0) return;
    if (await this.endpoint.patchIsEmulated(options.signal)) {
      await this.endpoint.emulatePatch(
        groupId,
        removeMembersOps(ids, { removeForm: 'valueArray', maxMembersPerOperation: Number.POSITIVE_INFINITY }),
        options.signal,
      );
      return;
    }
    await this.sendRemovals(groupId, ids, options);
  }

  /**
   * Makes the group's members exactly `members`: reads the group, then removes the members it should
   * not have and adds the missing ones (removals first). Where PATCH is emulated, one PUT with the
   * new member list (with `If-Match` when the service gives ETags).
   */
  async setMembers(
    groupId: string,
    members: readonly GroupMemberInput[],
    options: CallOptions = {},
  ): Promise<void> {
    const desired = members.map((member) => (typeof member === 'string' ? { value: member } : member));
    if (await this.endpoint.patchIsEmulated(options.signal)) {
      await this.replaceMembers(groupId, desired, options);
      return;
    }
    const current = await this.endpoint.get(groupId, options);
    const { toAdd, toRemove } = diffGroupMembers(current, { members: desired });
    if (toRemove.length > 0) await this.sendRemovals(groupId, [...toRemove], options);
    if (toAdd.length > 0) await this.addMembers(groupId, toAdd, options);
  }

  /** GET, set `members`, PUT with `If-Match`; on `412` start again (three times at most). */
  private async replaceMembers(
    groupId: string,
    desired: readonly ScimGroupMemberLike[],
    options: CallOptions,
  ): Promise<void> {
    const memberValues = uniqueById(desired).map((member) =>
      member.type === undefined ? { value: member.value } : { value: member.value, type: member.type },
    );
    let lastError: unknown;
    for (let attempt = 1; attempt <= MAX_PRECONDITION_ATTEMPTS; attempt += 1) {
      const current = await this.endpoint.get(groupId, options);
      const etag = await this.endpoint.versionOf(current, undefined, options.signal);
      try {
        await this.endpoint.replace(
          groupId,
          { ...current, members: memberValues },
          {
            ...options,
            ...(etag === undefined ? {} : { etag }),
          },
        );
        return;
      } catch (error) {
        if (!(isScimHttpError(error) && error.status === 412)) throw error;
        lastError = error;
      }
    }
    throw lastError;
  }

  /**
   * Sends removals in the current form, request by request. On a `400` that rejects the form, the
   * remaining removals go in the other form (once per client). On `400 noTarget` (a member that is
   * not there made the whole request fail), the request's removals go one at a time, and those
   * answered `noTarget` again are taken as done.
   */
  private async sendRemovals(groupId: string, ids: readonly string[], options: CallOptions): Promise<void> {
    const { fallbacks } = this.context;
    const limits = this.context.options.groups;
    const form = fallbacks.removeForm;
    const perRequest =
      form === 'valuePath'
        ? limits.maxOperationsPerRequest
        : limits.maxOperationsPerRequest * limits.maxMembersPerOperation;
    for (let start = 0; start < ids.length; start += perRequest) {
      const chunk = ids.slice(start, start + perRequest);
      const operations = removeMembersOps(chunk, {
        removeForm: form,
        maxMembersPerOperation: limits.maxMembersPerOperation,
      });
      try {
        await this.endpoint.patch(groupId, operations, options);
      } catch (error) {
        if (!isScimHttpError(error) || error.status !== 400) throw error;
        if (error.scimType === 'noTarget') {
          await this.removeOneByOne(groupId, chunk, form, options);
          continue;
        }
        if (FORM_REJECTIONS.has(error.scimType) && !fallbacks.removeFormSwitched) {
          fallbacks.switchRemoveForm(
            `a member removal in the ${form} form was answered HTTP 400${error.scimType === undefined ? '' : ` ${error.scimType}`}`,
          );
          await this.sendRemovals(groupId, ids.slice(start), options);
          return;
        }
        throw error;
      }
    }
  }

  private async removeOneByOne(
    groupId: string,
    ids: readonly string[],
    form: 'valuePath' | 'valueArray',
    options: CallOptions,
  ): Promise<void> {
    for (const id of ids) {
      try {
        await this.endpoint.patch(groupId, removeMembersOps([id], { removeForm: form }), options);
      } catch (error) {
        if (isScimHttpError(error) && error.status === 400 && error.scimType === 'noTarget') continue;
        throw error;
      }
    }
  }
}

function uniqueById(members: readonly ScimGroupMemberLike[]): ScimGroupMemberLike[] {
  const seen = new Set<string>();
  return members.filter((member) => {
    if (seen.has(member.value)) return false;
    seen.add(member.value);
    return true;
  });
}
