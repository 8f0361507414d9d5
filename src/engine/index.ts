/**
 * The reconciliation engine: options, the engine, its plan, report and events, and the interface
 * of the target it provisions. State stores and attribute mapping have their own barrels
 * (`./state/index`, `./mapping/index`).
 *
 * @module
 */
export { EngineOptionsError, isEngineOptionsError } from './errors/EngineOptionsError';
export { isStateTargetMismatchError, StateTargetMismatchError } from './errors/StateTargetMismatchError';
export { isSyncAbortedError, SyncAbortedError } from './errors/SyncAbortedError';
export type {
  CyclePhase,
  CycleStartEvent,
  EngineFallbackEvent,
  ObjectOperationEvent,
  ProgressEvent,
  ProvisioningEvents,
} from './events';
export type { SystemicFailure } from './failure-class';
export { classifyFailure } from './failure-class';
export type {
  CreateGroupOperation,
  CreateReason,
  CreateUserOperation,
  DeleteGroupOperation,
  DeleteUserOperation,
  DisableUserOperation,
  EnableUserOperation,
  EngineWarning,
  GroupMembersOperation,
  GroupOperation,
  HeldRemovals,
  LinkGroupOperation,
  LinkUserOperation,
  MemberRef,
  OperationKind,
  PlanningFailure,
  ProvisioningPlan,
  RemovalReason,
  RenameGroupOperation,
  SkippedOperation,
  UpdateGroupOperation,
  UpdateReason,
  UpdateUserOperation,
  UserOperation,
} from './operations';
export type {
  DeletionThreshold,
  EngineMappingOptions,
  EngineOptions,
  GroupProvisioningOptions,
  MatchOptions,
  RemoveAction,
  ResolvedEngineOptions,
  SafetyOptions,
  UserMatch,
  UserProvisioningOptions,
} from './options';
export { DEFAULT_STATE_FILE, resolveEngineOptions } from './options';
export type { PlanOptions, SingleOptions, SyncOptions } from './ProvisioningEngine';
export { ProvisioningEngine } from './ProvisioningEngine';
export type { OperationCounts, OperationFailure, SyncReport } from './report';
export type {
  ProvisioningTarget,
  TargetCallOptions,
  TargetCapabilities,
  TargetGroup,
  TargetGroups,
  TargetListOptions,
  TargetMemberInput,
  TargetResource,
  TargetUser,
  TargetUsers,
} from './target';
