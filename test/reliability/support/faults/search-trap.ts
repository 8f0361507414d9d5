/**
 * An `LdapConnector` (the datastore's connection seam) that runs an action, such as killing the
 * directory, just before a chosen page of a search under a chosen base is requested: an outage at a
 * known point in the middle of a paged search, not at a moment picked by a timer.
 */
import { connectWithLdapjs } from '../../../../src/datastore/ldap/connection';
import type { LdapConnector, LdapSearchRequest } from '../../../../src/datastore/ldap/transport';

interface Armed {
  readonly base: string;
  readonly page: number;
  readonly action: () => void;
  seen: number;
}

/** Wraps the package's ldapjs connector; see the module documentation. */
export class SearchTrap {
  private armed: Armed | undefined;
  /** Searches seen since the trap was last armed, by base DN (lower case). */
  readonly searches: LdapSearchRequest[] = [];
  /** True once the armed action ran. */
  fired = false;

  /** The connector to give `LdapDatastore` (`connector` option). */
  readonly connector: LdapConnector = async (request) => {
    const connection = await connectWithLdapjs(request);
    return {
      startTls: (tls) => connection.startTls(tls),
      bind: (dn, password) => connection.bind(dn, password),
      search: (search) => {
        this.searches.push(search);
        this.check(search);
        return connection.search(search);
      },
      close: () => connection.close(),
      destroy: () => connection.destroy(),
      onClose: (listener) => connection.onClose(listener),
    };
  };

  /** Runs `action` once, when the `page`-th search request under `base` (counted from now) is sent. */
  arm(base: string, page: number, action: () => void): void {
    this.armed = { base: base.toLowerCase(), page, action, seen: 0 };
    this.fired = false;
    this.searches.length = 0;
  }

  /** Disarms the trap. */
  disarm(): void {
    this.armed = undefined;
  }

  private check(search: LdapSearchRequest): void {
    const armed = this.armed;
    if (armed === undefined || search.base.toLowerCase() !== armed.base) return;
    armed.seen += 1;
    if (armed.seen !== armed.page) return;
    this.armed = undefined;
    this.fired = true;
    armed.action();
  }
}
