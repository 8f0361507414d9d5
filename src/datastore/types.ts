/**
 * The source side of provisioning: what a directory (or any other store of people and groups)
 * must offer so that the engine can keep a SCIM service in step with it.
 *
 * The package ships two adapters, `InMemoryDatastore` and `LdapDatastore`; a host can write its
 * own by implementing {@link DatastoreAdapter}.
 *
 * @module
 */

/**
 * One attribute's values as read from the source.
 *
 * - a single value is a `string` (text) or a `Buffer` (binary, or bytes that are not UTF-8);
 * - several values are a `string[]` or a `Buffer[]` (never mixed: when one value of an attribute
 *   is binary, all of its values are given as Buffers).
 *
 * Identifiers with a canonical text form are given in that form, not as bytes: Active Directory
 * GUIDs as `6f9619ff-8b86-d011-b42d-00c04fc964ff` and SIDs as `S-1-5-21-...`.
 */
export type AttributeValue = string | string[] | Buffer | Buffer[];

/** The attributes of a source object, by attribute name (in the case the caller asked for). */
export type SourceAttributes = Readonly<Record<string, AttributeValue>>;

/** A person in the source. */
export interface SourceUser {
  /**
   * Stable identifier: the same for the life of the object, across renames and moves
   * (objectGUID on Active Directory, entryUUID on LDAPv3, configurable). Never reused.
   */
  readonly id: string;
  /** Distinguished name, for directory sources. Changes on rename or move; never use it as a key. */
  readonly dn?: string;
  /**
   * True when the account is disabled in the source (Active Directory's userAccountControl bit
   * 0x2, or a flag attribute, depending on the adapter's account status settings).
   */
  readonly disabled: boolean;
  /** The attributes that were asked for (and that the object has). */
  readonly attributes: SourceAttributes;
}

/** A group in the source. */
export interface SourceGroup {
  /** Stable identifier, as for {@link SourceUser.id}. */
  readonly id: string;
  /** Distinguished name, for directory sources. */
  readonly dn?: string;
  /** The group's name (cn by default on directories); becomes the SCIM displayName. */
  readonly name: string;
  /**
   * Ids of the group's direct members that are themselves in scope: users of the users scope and
   * groups of the groups scope. Members outside the scope are left out. Not flattened: a nested
   * group appears as one member id.
   */
  readonly memberIds: readonly string[];
  /** The attributes that were asked for (and that the group has). */
  readonly attributes: SourceAttributes;
}

/** A JSON value: what a {@link Watermark} is made of. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * Where an adapter's change tracking stands after a read: opaque data that the engine stores
 * (as JSON) with its state and hands back to {@link DatastoreAdapter.changes} next time.
 * Consumers must not look inside; adapters must accept any value they produced before and
 * treat a value they do not recognise like no watermark at all (a full read).
 */
export type Watermark = JsonValue;

/** Options a consumer can give to any read. */
export interface ReadOptions {
  /**
   * Attributes to fetch (the names the mapping uses), in the case they should appear in
   * {@link SourceUser.attributes}. The adapter adds what it needs itself (ids, status, change
   * tracking, group members). When absent, the adapter's own configured list is used.
   */
  readonly attributes?: readonly string[];
}

/** Options of {@link DatastoreAdapter.changes}. */
export interface ChangesOptions extends ReadOptions {
  /**
   * The ids the consumer holds from earlier reads (for the engine: the source ids it has
   * provisioned). When given, the change set is complete with respect to them:
   * {@link DatastoreChanges.removed} lists every one of them that is no longer in scope, and
   * objects in scope that are not among them are streamed as changed, even when the source did not
   * record a change on them (for example a user who entered the scope because a group it belongs
   * to was added to the scope's group).
   */
  readonly known?: {
    readonly users: Iterable<string>;
    readonly groups: Iterable<string>;
  };
}

/** Ids of objects that are no longer in scope. */
export interface RemovedIds {
  readonly users: readonly string[];
  readonly groups: readonly string[];
}

/** Ids of every object in scope, from {@link DatastoreAdapter.ids}. */
export interface ScopeIds {
  readonly users: ReadonlySet<string>;
  readonly groups: ReadonlySet<string>;
}

/**
 * What changed in the source since a watermark. Consume `users` and `groups` (in either order,
 * each once), then call `removed()` and `nextWatermark()`.
 *
 * @example
 * ```ts
 * const delta = await datastore.changes(state.watermark, { known: state.sourceIds() });
 * for await (const user of delta.users) plan.user(user);
 * for await (const group of delta.groups) plan.group(group);
 * for (const id of (await delta.removed()).users) plan.userGone(id);
 * // ...apply the plan, then:
 * state.watermark = await delta.nextWatermark();
 * ```
 */
export interface DatastoreChanges {
  /**
   * True when the adapter could not compute a delta (no watermark, an unrecognised one, or the
   * source lost its change history, such as a domain controller whose invocationId changed) and
   * `users` and `groups` stream the whole scope instead.
   */
  readonly full: boolean;
  /** Users in scope that were created or modified since the watermark (the whole scope when `full`). */
  readonly users: AsyncIterable<SourceUser>;
  /** Groups in scope created or modified since the watermark, membership changes included. */
  readonly groups: AsyncIterable<SourceGroup>;
  /**
   * Ids that left the scope since the watermark (deleted, moved out of the base DN, no longer
   * matching the filter or group). Complete for the ids given as `known`; without `known`, only
   * what the adapter can tell by itself (the in-memory adapter: everything; the LDAP adapter:
   * nothing, because it finds removals by comparing ids, see {@link DatastoreAdapter.ids}).
   */
  removed(): Promise<RemovedIds>;
  /**
   * The watermark to store once everything above has been applied. Taken before the source was
   * read, so that a change made during the read is reported again next time rather than lost.
   */
  nextWatermark(): Promise<Watermark>;
}

/**
 * A source of users and groups.
 *
 * Contract every adapter keeps (the shared contract test suite checks it):
 *
 * - **Scope.** An adapter is configured with a scope: which users and which groups are to be
 *   provisioned (for a directory: a base DN and search scope, object classes, optionally a
 *   filter or the members of a group). Every read returns exactly the objects in scope.
 * - **Stable ids.** `id` identifies an object for its whole life, across renames and moves, and
 *   is never given to another object. The engine keys its state on it.
 * - **Streaming.** `users()` and `groups()` are async iterables that read the source as they are
 *   consumed (a directory in pages); an adapter never loads the whole directory into one array.
 *   Iterating again reads the source again.
 * - **All or an error.** When an adapter cannot read the whole scope (connection lost, size
 *   limit, access denied), it throws; it never ends a stream early as if the missing objects did
 *   not exist, because the engine deprovisions what is missing from a complete read.
 * - **Secrets.** Errors and events never carry passwords or tokens.
 *
 * @example
 * ```ts
 * const datastore: DatastoreAdapter = new InMemoryDatastore();
 * for await (const user of datastore.users()) console.log(user.id, user.disabled);
 * ```
 */
export interface DatastoreAdapter {
  /** Streams every user in scope. */
  users(options?: ReadOptions): AsyncIterable<SourceUser>;
  /** Streams every group in scope, with its in-scope member ids. */
  groups(options?: ReadOptions): AsyncIterable<SourceGroup>;
  /**
   * Reads one user by id; `undefined` when no user in scope has that id. Lets the engine
   * provision one user on demand without reading the whole scope.
   */
  user?(id: string, options?: ReadOptions): Promise<SourceUser | undefined>;
  /**
   * What changed since `watermark` (`undefined` on the first run). Adapters without change
   * tracking leave this out; the engine then reads the whole scope each cycle.
   */
  changes?(watermark: Watermark | undefined, options?: ChangesOptions): Promise<DatastoreChanges>;
  /**
   * Lists the ids of every object in scope, reading as little as possible (no attributes beyond
   * the id). Comparing them with the ids a consumer holds finds deletions and objects that left
   * the scope. Like the streams, it throws rather than return a partial list.
   */
  ids?(): Promise<ScopeIds>;
  /** Releases connections. The adapter may be used again afterwards (it reconnects). */
  close?(): Promise<void>;
}
