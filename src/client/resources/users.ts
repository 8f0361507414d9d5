/**
 * `client.users`: the `/Users` endpoint.
 */
import type { PatchOp, PatchOperation, ScimUser } from '../../scim/models/index';
import type { CallOptions } from '../context';
import type { ListOptions, ReplaceOptions, ResourceEndpoint } from './endpoint';

/**
 * The users of a SCIM service (`/Users`, RFC 7644 section 3).
 *
 * @example
 * ```ts
 * const existing = await client.users.findByUserName('bjensen@example.com');
 * const user = existing ?? (await client.users.create({ userName: 'bjensen@example.com', active: true }));
 * await client.users.replace(user.id!, { ...user, title: 'Tour Guide' });
 * for await (const each of client.users.list()) console.log(each.userName);
 * ```
 */
export class UsersResource {
  private readonly endpoint: ResourceEndpoint<ScimUser>;

  /** @internal Made by `ScimClient`. */
  constructor(endpoint: ResourceEndpoint<ScimUser>) {
    this.endpoint = endpoint;
  }

  /**
   * Creates a user (`POST /Users`). `schemas` is filled in when missing; `id` and `meta` are not sent.
   * When the answer is lost (connection reset, timeout, 5xx), the user is looked up by `userName`
   * before any new attempt, so that it is never created twice.
   *
   * @throws ScimConflictError on `409` (the `userName` is taken), with the existing user in
   *   `existing` when it could be found.
   */
  create(user: ScimUser, options?: CallOptions): Promise<ScimUser> {
    return this.endpoint.create(user, options);
  }

  /** Reads a user by `id` (`GET /Users/{id}`). A missing user is a `ScimHttpError` with status 404. */
  get(id: string, options?: CallOptions): Promise<ScimUser> {
    return this.endpoint.get(id, options);
  }

  /** Replaces a user (`PUT /Users/{id}`), with `If-Match` when `options.etag` is given. */
  replace(id: string, user: ScimUser, options?: ReplaceOptions): Promise<ScimUser> {
    return this.endpoint.replace(id, user, options);
  }

  /**
   * Changes a user with PATCH (`PATCH /Users/{id}`), or GET + local apply + PUT where PATCH is
   * emulated (see the `patch` option; `AqueraClient` always replaces users).
   *
   * @returns the user after the change, or `undefined` when the service answered `204`.
   */
  patch(
    id: string,
    patch: PatchOp | readonly PatchOperation[],
    options?: CallOptions,
  ): Promise<ScimUser | undefined> {
    return this.endpoint.patch(id, patch, options);
  }

  /** Deletes a user (`DELETE /Users/{id}`). */
  delete(id: string, options?: CallOptions): Promise<void> {
    return this.endpoint.delete(id, options);
  }

  /**
   * The user with this `userName` (compared case-insensitively, as RFC 7643 says), or `undefined`.
   * One request (`filter=userName eq "…"`) where the service filters; otherwise every user is listed
   * and matched locally, once per sync while `client.beginSync()` is open.
   */
  findByUserName(userName: string, options?: CallOptions): Promise<ScimUser | undefined> {
    return this.endpoint.findBy('userName', userName, options);
  }

  /**
   * How many users the service holds: `totalResults` of `GET /Users?startIndex=1&count=1` (one
   * request), or `undefined` when the service leaves `totalResults` out.
   *
   * @example
   * ```ts
   * const total = await client.users.count(); // 12873
   * ```
   */
  count(options?: CallOptions): Promise<number | undefined> {
    return this.endpoint.count(options);
  }

  /**
   * Every user (or those matching `options.filter`), page after page. Throws
   * `ScimIncompleteListError` rather than end early when the service's pages do not add up.
   */
  list(options?: ListOptions): AsyncIterable<ScimUser> {
    return this.endpoint.list(options);
  }
}
