/**
 * aquera-provisioner: keep a SCIM 2.0 service (Aquera's SCIM gateway, or any RFC 7644 service
 * provider) in step with a directory.
 *
 * This barrel lists every export by name. Deliberately not exported here: `src/internal/`
 * (private helpers) and `src/testing/` (the `aquera-provisioner/testing` subpath).
 *
 * @packageDocumentation
 */

export type { AqueraClientOptions } from './client/AqueraClient';
export { AqueraClient, normalizeAqueraUrl } from './client/AqueraClient';
export type { CallOptions } from './client/context';
export type {
  Capabilities,
  DiscoveryEndpoint,
  PaginationCapabilities,
  UnavailableEndpoint,
} from './client/discovery';
// client/: errors
export type { RedactedRequest } from './client/errors/RedactedRequest';
export { isScimConflictError, ScimConflictError } from './client/errors/ScimConflictError';
export type { HttpErrorResponse, ScimHttpErrorInit } from './client/errors/ScimHttpError';
export { isScimHttpError, ScimHttpError } from './client/errors/ScimHttpError';
export type { IncompleteListReason } from './client/errors/ScimIncompleteListError';
export { isScimIncompleteListError, ScimIncompleteListError } from './client/errors/ScimIncompleteListError';
export { isScimNetworkError, ScimNetworkError } from './client/errors/ScimNetworkError';
export type { ScimResponseProblem } from './client/errors/ScimResponseError';
export { isScimResponseError, ScimResponseError } from './client/errors/ScimResponseError';
export { isScimTimeoutError, ScimTimeoutError } from './client/errors/ScimTimeoutError';
export type {
  ScimClientEvents,
  ScimFallbackEvent,
  ScimFallbackKind,
  ScimRequestEvent,
  ScimResponseEvent,
  ScimRetryEvent,
  ScimWarningEvent,
} from './client/events';
export type {
  BasicAuth,
  BearerTokenAuth,
  BearerTokenProviderAuth,
  GroupPatchSettings,
  PatchStrategy,
  RetryOptions,
  ScimAuth,
  ScimClientOptions,
  ScimHttpMethod,
  ValidationMode,
} from './client/options';
export type { ListOptions, ReplaceOptions } from './client/resources/endpoint';
export type { GroupMemberInput, GroupsResource } from './client/resources/groups';
export type { UsersResource } from './client/resources/users';
// client/: SCIM over HTTP
export { ScimClient } from './client/ScimClient';
export type {
  ConnectionCheck,
  ConnectionCheckName,
  ConnectionReport,
  TestConnectionOptions,
} from './client/test-connection';
// datastore/: errors
export { DatastoreError, isDatastoreError } from './datastore/errors/DatastoreError';
export {
  isLdapAuthenticationError,
  LdapAuthenticationError,
} from './datastore/errors/LdapAuthenticationError';
export { isLdapConfigError, LdapConfigError } from './datastore/errors/LdapConfigError';
export type { LdapConnectionAttempt } from './datastore/errors/LdapConnectionError';
export { isLdapConnectionError, LdapConnectionError } from './datastore/errors/LdapConnectionError';
export type { LdapErrorContext } from './datastore/errors/LdapDatastoreError';
export { isLdapDatastoreError, LdapDatastoreError } from './datastore/errors/LdapDatastoreError';
export { isLdapSearchError, LdapSearchError } from './datastore/errors/LdapSearchError';
export { isLdapTimeoutError, LdapTimeoutError } from './datastore/errors/LdapTimeoutError';
export type { LdapTransportFailure } from './datastore/errors/LdapTransportError';
export { isLdapTransportError, LdapTransportError } from './datastore/errors/LdapTransportError';
export { connectWithLdapjs } from './datastore/ldap/connection';
export type { Dn, DnAttribute, Rdn } from './datastore/ldap/dn';
export { escapeDnValue, normalizeDn, parseDn } from './datastore/ldap/dn';
export type {
  LdapAndFilter,
  LdapComparisonFilter,
  LdapExtensibleFilter,
  LdapFilter,
  LdapNotFilter,
  LdapOrFilter,
  LdapPresentFilter,
  LdapSubstringsFilter,
} from './datastore/ldap/filter/ast';
export { escapeFilterValue } from './datastore/ldap/filter/escape';
export { formatGuid, parseGuid } from './datastore/ldap/guid';
export type { LdapServerInfo } from './datastore/ldap/LdapDatastore';
export { LdapDatastore } from './datastore/ldap/LdapDatastore';
export type {
  AccountStatus,
  ChangedUsersAlgorithm,
  LdapAccountStatusAlgorithm,
  LdapDatastoreOptions,
  LdapDirectoryType,
  LdapLocation,
} from './datastore/ldap/options';
export { formatSid } from './datastore/ldap/sid';
export type {
  LdapConnection,
  LdapConnector,
  LdapConnectRequest,
  LdapEndpoint,
  LdapRawAttribute,
  LdapRawEntry,
  LdapSearchPage,
  LdapSearchRequest,
  LdapSearchScope,
  LdapTlsSettings,
} from './datastore/ldap/transport';
export type {
  InMemoryDatastoreOptions,
  InMemoryGroupInput,
  InMemoryGroupUpdate,
  InMemoryUserInput,
  InMemoryUserUpdate,
} from './datastore/memory/InMemoryDatastore';
export { InMemoryDatastore } from './datastore/memory/InMemoryDatastore';
// datastore/: the adapter interface and the shipped adapters
export type {
  AttributeValue,
  ChangesOptions,
  DatastoreAdapter,
  DatastoreChanges,
  JsonValue,
  ReadOptions,
  RemovedIds,
  ScopeIds,
  SourceAttributes,
  SourceGroup,
  SourceUser,
  Watermark,
} from './datastore/types';
// engine/: the reconciliation engine
export { EngineOptionsError, isEngineOptionsError } from './engine/errors/EngineOptionsError';
export { isMatchConflictError, MatchConflictError } from './engine/errors/MatchConflictError';
export {
  isStateTargetMismatchError,
  StateTargetMismatchError,
} from './engine/errors/StateTargetMismatchError';
export { isSyncAbortedError, SyncAbortedError } from './engine/errors/SyncAbortedError';
export type {
  CyclePhase,
  CycleStartEvent,
  EngineFallbackEvent,
  ObjectOperationEvent,
  ProgressEvent,
  ProvisioningEvents,
} from './engine/events';
export type { SystemicFailure } from './engine/failure-class';
export { classifyFailure } from './engine/failure-class';
// engine/mapping/: source attributes to SCIM attributes
export type {
  CompiledMapping,
  CompiledRule,
  CompileMappingOptions,
  MappingResourceType,
} from './engine/mapping/compile';
export { compileMapping } from './engine/mapping/compile';
export {
  ACTIVE_DIRECTORY_USER_MAPPING,
  DEFAULT_GROUP_MAPPING,
  LDAPV3_USER_MAPPING,
} from './engine/mapping/defaults';
export { driftedAttributes } from './engine/mapping/drift';
export { STABLE_HASH_LENGTH, stableHash } from './engine/mapping/hash';
export type { MappingErrorCode } from './engine/mapping/MappingError';
export { isMappingError, MappingError } from './engine/mapping/MappingError';
export type { MapOptions, MappedResource } from './engine/mapping/map';
export { mapGroup, mapUser } from './engine/mapping/map';
export type { ValueFilterCondition } from './engine/mapping/mapping-path';
export type { ClearMode, MergeInput, MergeOptions } from './engine/mapping/merge';
export { mergeForReplace } from './engine/mapping/merge';
export type {
  AttributeMapping,
  BuiltInTransform,
  CustomTransform,
  MappedResourceBody,
  MappedScalar,
  MappedValue,
  MappingRule,
  MappingSource,
  MappingTransform,
  TransformContext,
  TransformResult,
} from './engine/mapping/types';
export type { UserMatchRule } from './engine/match';
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
} from './engine/operations';
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
} from './engine/options';
export { DEFAULT_STATE_FILE, resolveEngineOptions } from './engine/options';
export type { PlanOptions, SingleOptions, SyncOptions } from './engine/ProvisioningEngine';
export { ProvisioningEngine } from './engine/ProvisioningEngine';
export type { OperationCounts, OperationFailure, SyncReport } from './engine/report';
// engine/state/: where the engine keeps what it provisioned
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
} from './engine/state/changes';
export { applyStateChange } from './engine/state/changes';
export type { FileStateStoreOptions } from './engine/state/FileStateStore';
export { FileStateStore } from './engine/state/FileStateStore';
export { MemoryStateStore } from './engine/state/MemoryStateStore';
export type { StateStore } from './engine/state/StateStore';
export { commitStateChanges } from './engine/state/StateStore';
export type { StateStoreErrorCode } from './engine/state/StateStoreError';
export { isStateStoreError, StateStoreError } from './engine/state/StateStoreError';
export type { StateFileHandle, StateFileSystem } from './engine/state/state-file-system';
export { nodeStateFileSystem } from './engine/state/state-file-system';
export { targetFingerprint } from './engine/state/target';
export type {
  GroupState,
  PendingCreate,
  ProvisioningState,
  StateTarget,
  UserState,
  UserStatus,
} from './engine/state/types';
export {
  cloneProvisioningState,
  createProvisioningState,
  STATE_FORMAT,
  STATE_VERSION,
} from './engine/state/types';
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
} from './engine/target';
// scim/: attribute paths
export {
  findKey,
  getAttributeContainer,
  getAttributeValues,
  isCoreSchema,
  parseAttributePath,
  stringifyAttributePath,
} from './scim/attributes';
// scim/: errors
export { isScimError, ScimError } from './scim/errors/ScimError';
export type { ScimType } from './scim/errors/ScimProtocolError';
export { isScimProtocolError, ScimProtocolError } from './scim/errors/ScimProtocolError';
export type { ScimValidationIssue } from './scim/errors/ScimValidationError';
export { isScimValidationError, ScimValidationError } from './scim/errors/ScimValidationError';
export type {
  AndFilter,
  AttributePath,
  CompareFilter,
  CompareOperator,
  CompareValue,
  FilterNode,
  NotFilter,
  OrFilter,
  PatchPath,
  PresentFilter,
  ValuePathFilter,
} from './scim/filter/ast';
// scim/: filters (build, parse, write, evaluate)
export type { FilterExpression, FilterInput, MatchFilterOptions } from './scim/filter/index';
export {
  defaultCaseExact,
  filter,
  isCompareOperator,
  MAX_FILTER_NESTING,
  matchesFilter,
  parseFilter,
  parsePatchPath,
  stringifyCompareValue,
  stringifyFilter,
} from './scim/filter/index';
// scim/: models (each name is a zod schema and its inferred type) and parse functions
export type { ParseMode, ParseOptions, ResolvedParseOptions } from './scim/models/index';
export {
  AttributeType,
  AuthenticationScheme,
  BulkMethod,
  BulkOperation,
  BulkOperationResult,
  BulkRequest,
  BulkResponse,
  BulkSupport,
  CORE_SCHEMAS,
  ENTERPRISE_USER_SCHEMA,
  EnterpriseManager,
  EnterpriseUser,
  FilterSupport,
  findAttributeDefinition,
  GROUP_SCHEMA,
  GroupMember,
  HttpStatus,
  ListResponse,
  Meta,
  MultiValuedAttribute,
  Mutability,
  PaginationMethod,
  PaginationSupport,
  PatchOp,
  PatchOperation,
  PatchOperationType,
  parseBulkRequest,
  parseBulkResponse,
  parseErrorResponse,
  parseGroup,
  parseListResponse,
  parsePatchOp,
  parseResourceType,
  parseSchema,
  parseServiceProviderConfig,
  parseUser,
  RESOURCE_TYPE_SCHEMA,
  ResourceId,
  ResourceType,
  Returned,
  resolveParseOptions,
  SCHEMA_SCHEMA,
  SchemaAttribute,
  SchemaExtension,
  ScimAddress,
  ScimDateTime,
  ScimErrorResponse,
  ScimGroup,
  ScimName,
  ScimSchema,
  ScimUser,
  ScimUserGroup,
  SERVICE_PROVIDER_CONFIG_SCHEMA,
  SERVICE_PROVIDER_SCHEMAS,
  ServiceProviderConfig,
  SupportedFeature,
  Uniqueness,
  USER_SCHEMA,
} from './scim/models/index';
export type { NormalizationConflict, NormalizedDocument } from './scim/normalize';
export { normalizeScimDocument } from './scim/normalize';
// scim/: PATCH (local application, group diff, requests within limits)
export type {
  AddMembersOptions,
  ApplyPatchOptions,
  DiffGroupsOptions,
  GroupMemberChanges,
  GroupPatchOptions,
  PatchOpLimits,
  RemoveMembersForm,
  RemoveMembersOptions,
  ScimGroupLike,
  ScimGroupMemberLike,
} from './scim/patch/index';
export {
  addMembersOps,
  applyPatch,
  buildGroupPatches,
  DEFAULT_MAX_MEMBERS_PER_OPERATION,
  DEFAULT_MAX_OPERATIONS,
  DEFAULT_READ_ONLY_ATTRIBUTES,
  diffGroupMembers,
  diffGroups,
  memberValuePath,
  removeMembersOps,
  toPatchOps,
} from './scim/patch/index';
export type { SchemaUrn } from './scim/schemas';
// scim/: constants and filter syntax
export { SCHEMAS } from './scim/schemas';
