/**
 * The seam between `LdapDatastore` and the LDAP client library: one live connection to one
 * server, with only the operations the adapter needs. The package's implementation (the only
 * code that touches ldapjs) is `connectWithLdapjs` in `connection.ts`; tests and hosts can pass
 * their own {@link LdapConnector} through the `connector` option.
 *
 * Connections do no retrying, reconnecting or timing out: the session above them does, the same
 * way for every implementation.
 *
 * @module
 */

import type { LdapFilter } from './filter/ast';

/** A server to connect to, parsed from one of the `urls`. */
export interface LdapEndpoint {
  /** The URL as configured, e.g. `ldaps://dc1.example.com:636`. */
  readonly url: string;
  /** True for `ldaps://` (TLS from the first byte). */
  readonly secure: boolean;
  readonly host: string;
  readonly port: number;
}

/** TLS settings for `ldaps://` and StartTLS. */
export interface LdapTlsSettings {
  /** Trusted CA certificates (PEM); Node's default trust store when absent. */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** Refuse servers whose certificate does not verify. */
  readonly rejectUnauthorized: boolean;
  /** Host name to send (SNI) and to check the certificate against, when not the URL's host. */
  readonly servername?: string;
}

/** What a connector is asked to do. */
export interface LdapConnectRequest {
  readonly endpoint: LdapEndpoint;
  readonly tls: LdapTlsSettings;
  /** @unit ms */
  readonly connectTimeout: number;
}

/** The three search scopes. */
export type LdapSearchScope = 'base' | 'one' | 'sub';

/** One search request (one page of a paged search). */
export interface LdapSearchRequest {
  readonly base: string;
  readonly scope: LdapSearchScope;
  readonly filter: LdapFilter;
  /** Attributes to return; `[]` means all user attributes, `['1.1']` none. */
  readonly attributes: readonly string[];
  /** Ask for a page of this size with the simple paged results control (RFC 2696); no control when absent. */
  readonly paged?: { readonly size: number; readonly cookie: Buffer };
  /** Server-side time limit. @unit s */
  readonly timeLimit: number;
  /** Extra request controls by OID (value-less), e.g. AD's show-deleted `1.2.840.113556.1.4.417`. */
  readonly controls?: readonly { readonly oid: string; readonly critical: boolean }[];
}

/** One attribute of an entry as the server sent it: name (with options such as `;range=0-1499`) and raw values. */
export interface LdapRawAttribute {
  readonly type: string;
  readonly values: readonly Buffer[];
}

/** One entry as the server sent it. */
export interface LdapRawEntry {
  readonly dn: string;
  readonly attributes: readonly LdapRawAttribute[];
}

/** The result of one search request. */
export interface LdapSearchPage {
  readonly entries: LdapRawEntry[];
  /** Search result references (referrals to other servers) received and ignored. */
  readonly references: number;
  /**
   * The paged results cookie of the response: empty when this was the last page, `undefined`
   * when the response carried no paged results control (the server does not page).
   */
  readonly cookie: Buffer | undefined;
}

/** One live connection. Every method rejects with an `LdapTransportError`. */
export interface LdapConnection {
  /** Upgrades a plain connection with the StartTLS extended operation. */
  startTls(tls: LdapTlsSettings & { readonly host: string }): Promise<void>;
  /** Simple bind; an empty DN and password is an anonymous bind. */
  bind(dn: string, password: string): Promise<void>;
  search(request: LdapSearchRequest): Promise<LdapSearchPage>;
  /** Ends the connection politely (unbind); outstanding operations fail with `failure: 'closed'`. */
  close(): Promise<void>;
  /** Drops the connection at once; outstanding operations fail with `failure: 'closed'`. */
  destroy(): void;
  /** Calls `listener` once when the connection closes for any reason. */
  onClose(listener: () => void): void;
}

/** Opens a connection (TCP, or TLS for `ldaps://`), without binding. Rejects with an `LdapTransportError`. */
export type LdapConnector = (request: LdapConnectRequest) => Promise<LdapConnection>;
