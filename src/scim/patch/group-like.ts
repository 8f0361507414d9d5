/**
 * The shape of a group as the group diff and the member operations read it: a name and member ids.
 * A `ScimGroup` fits, and so does a plain object built from a directory group.
 */

/** A group member as far as PATCH building cares: its `value` (the member's `id`) and, optionally, its `type`. */
export interface ScimGroupMemberLike {
  /** The member resource's `id`. Compared exactly (case-sensitive), like any SCIM `id`. */
  readonly value: string;
  /** `User` or `Group`. Sent along when a member is added; never compared. */
  readonly type?: string | undefined;
  /** Display name. Never compared and never sent. */
  readonly display?: string | undefined;
}

/** The parts of a SCIM group that `diffGroups` and `buildGroupPatches` compare. */
export interface ScimGroupLike {
  /** The group's name. `undefined` in the desired group means "leave the name alone". */
  readonly displayName?: string | undefined;
  /** The members; missing means none. */
  readonly members?: readonly ScimGroupMemberLike[] | undefined;
}
