/**
 * SCIM PATCH (RFC 7644 section 3.5.2): local application, the group diff, and requests within a
 * service provider's limits.
 */
export type { ApplyPatchOptions } from './apply-patch';
export { applyPatch, DEFAULT_READ_ONLY_ATTRIBUTES } from './apply-patch';
export type { GroupPatchOptions, PatchOpLimits } from './chunk';
export { buildGroupPatches, DEFAULT_MAX_OPERATIONS, toPatchOps } from './chunk';
export type { DiffGroupsOptions, GroupMemberChanges } from './group-diff';
export { diffGroupMembers, diffGroups } from './group-diff';
export type { ScimGroupLike, ScimGroupMemberLike } from './group-like';
export type { AddMembersOptions, RemoveMembersForm, RemoveMembersOptions } from './member-ops';
export {
  addMembersOps,
  DEFAULT_MAX_MEMBERS_PER_OPERATION,
  memberValuePath,
  removeMembersOps,
} from './member-ops';
