/**
 * Provisioning state: what the engine has written to a target, and the stores that keep it.
 *
 * @module
 */
export type {
  AbandonCreateChange,
  AddGroupMembersChange,
  BeginCreateChange,
  RemoveGroupChange,
  RemoveGroupMembersChange,
  RemoveUserChange,
  SetGroupChange,
  SetUserChange,
  SetWatermarkChange,
  StateChange,
} from './changes';
export { applyStateChange } from './changes';
export type { FileStateStoreOptions } from './FileStateStore';
export { FileStateStore } from './FileStateStore';
export { MemoryStateStore } from './MemoryStateStore';
export type { StateStore } from './StateStore';
export { commitStateChanges } from './StateStore';
export type { StateStoreErrorCode } from './StateStoreError';
export { isStateStoreError, StateStoreError } from './StateStoreError';
export type { StateFileHandle, StateFileSystem } from './state-file-system';
export { nodeStateFileSystem } from './state-file-system';
export { targetFingerprint } from './target';
export type {
  GroupState,
  PendingCreate,
  ProvisioningState,
  StateTarget,
  UserState,
  UserStatus,
} from './types';
export {
  cloneProvisioningState,
  createProvisioningState,
  STATE_FORMAT,
  STATE_VERSION,
} from './types';
