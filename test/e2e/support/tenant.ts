/**
 * One test's corner of a shared throwaway slapd: a subtree `ou=<name>,<suffix>` holding a small
 * generated company (`ou=people`, `ou=groups`, see `companyLdif`) and an `ou=outside` to move users
 * out of the users' base DN. Tests in one file share a slapd and each seeds its own tenant, so they
 * never see each other's entries and need no directory reset.
 *
 * The tenant changes its entries with the OpenLDAP tools (`ldapmodify`, `ldapdelete`) as the
 * admin, as an administrator would, and hands out `LdapDatastore`s bound as the read-only,
 * size-limited reader account.
 *
 * @example
 * ```ts
 * const tenant = await Tenant.seed(slapd, { users: 12, hostile: false });
 * const datastore = tenant.datastore();
 * await tenant.setAttribute('user00003', 'title', 'Director');
 * await tenant.close();
 * ```
 */
import { randomBytes } from 'node:crypto';
import { LdapDatastore } from '../../../src/datastore/ldap/LdapDatastore';
import type { LdapDatastoreOptions } from '../../../src/datastore/ldap/options';
import {
  ADMIN_LOCKED_TIME,
  type CompanyGroup,
  type CompanyOptions,
  type CompanyUser,
  companyGroupDn,
  companyGroups,
  companyLdif,
  companyUsers,
  type DisabledMarker,
  escapeDnValue,
  ldifLine,
} from '../../support/ldap/ldif';
import type { SlapdHandle } from '../../support/ldap/slapd';

/** The company a tenant is seeded with: `companyLdif` options without the placement ones. */
export type TenantCompany = Omit<CompanyOptions, 'suffix' | 'organizationalUnits'>;

let tenants = 0;

/** A seeded subtree of a shared slapd; see the module documentation. */
export class Tenant {
  /** The subtree's DN, `ou=<name>,<slapd suffix>`. */
  readonly suffix: string;
  /** Users' base DN (`ou=people,<suffix>`). */
  readonly peopleDn: string;
  /** Groups' base DN (`ou=groups,<suffix>`). */
  readonly groupsDn: string;
  /** Outside both bases: where users are moved to leave the scope. */
  readonly outsideDn: string;
  /** The users as generated (before any change the test makes). */
  readonly users: readonly CompanyUser[];
  /** The groups as generated. */
  readonly groups: readonly CompanyGroup[];
  private readonly slapd: SlapdHandle;
  private readonly opened: LdapDatastore[] = [];

  private constructor(slapd: SlapdHandle, suffix: string, company: CompanyOptions) {
    this.slapd = slapd;
    this.suffix = suffix;
    this.peopleDn = `ou=people,${suffix}`;
    this.groupsDn = `ou=groups,${suffix}`;
    this.outsideDn = `ou=outside,${suffix}`;
    this.users = [...companyUsers(company)];
    this.groups = companyGroups(company);
  }

  /** Adds a new tenant holding `company` (defaults: 12 users, no hostile names) to `slapd`. */
  static async seed(slapd: SlapdHandle, company: TenantCompany = {}): Promise<Tenant> {
    tenants += 1;
    const name = `t${tenants}-${randomBytes(3).toString('hex')}`;
    const suffix = `ou=${name},${slapd.suffix}`;
    const options: CompanyOptions = { users: 12, hostile: false, ...company, suffix };
    const tenant = new Tenant(slapd, suffix, options);
    const unit = (dn: string, ou: string): string =>
      `${ldifLine('dn', dn)}\nobjectClass: organizationalUnit\n${ldifLine('ou', ou)}\n\n`;
    await slapd.add([unit(suffix, name), unit(tenant.outsideDn, 'outside'), companyLdif(options)]);
    return tenant;
  }

  /** An `LdapDatastore` on this tenant (users in `ou=people`, groups in `ou=groups`), bound as the reader. */
  datastore(overrides: Partial<LdapDatastoreOptions> = {}): LdapDatastore {
    const datastore = new LdapDatastore({
      urls: this.slapd.url,
      bindDn: this.slapd.readerDn,
      bindPassword: this.slapd.readerPassword,
      users: { baseDn: this.peopleDn },
      groups: { baseDn: this.groupsDn },
      ...overrides,
    });
    this.opened.push(datastore);
    return datastore;
  }

  /** The generated user with this uid. */
  user(uid: string): CompanyUser {
    const user = this.users.find((candidate) => candidate.uid === uid);
    if (user === undefined) throw new Error(`no generated user ${uid}`);
    return user;
  }

  /** The generated group with this cn. */
  group(cn: string): CompanyGroup {
    const group = this.groups.find((candidate) => candidate.cn === cn);
    if (group === undefined) throw new Error(`no generated group ${cn}`);
    return group;
  }

  /** The DN of a user of `ou=people` by uid. */
  userDn(uid: string): string {
    return `uid=${escapeDnValue(uid)},${this.peopleDn}`;
  }

  /** The DN of a group of `ou=groups` by cn. */
  groupDn(cn: string): string {
    return companyGroupDn(cn, this.suffix);
  }

  /** Replaces an attribute's values (`null`: deletes the attribute). */
  async setAttribute(uid: string, attribute: string, value: string | null): Promise<void> {
    const change =
      value === null ? `delete: ${attribute}\n-` : `replace: ${attribute}\n${ldifLine(attribute, value)}\n-`;
    await this.modify(this.userDn(uid), `changetype: modify\n${change}`);
  }

  /**
   * Disables a user the way `marker` says: ppolicy's administrative lock (`pwdAccountLockedTime:
   * 000001010000Z`) or 389-DS's flag (`nsAccountLock: true`, through the `aqueraTestAccount` class).
   */
  async disable(uid: string, marker: DisabledMarker): Promise<void> {
    const dn = this.userDn(uid);
    if (marker === 'pwdAccountLockedTime') {
      await this.modify(
        dn,
        `changetype: modify\nreplace: pwdAccountLockedTime\npwdAccountLockedTime: ${ADMIN_LOCKED_TIME}\n-`,
      );
      return;
    }
    const [entry] = await this.slapd.search(dn, '(objectClass=aqueraTestAccount)', ['1.1']);
    const addClass = entry === undefined ? 'add: objectClass\nobjectClass: aqueraTestAccount\n-\n' : '';
    await this.modify(dn, `changetype: modify\n${addClass}replace: nsAccountLock\nnsAccountLock: true\n-`);
  }

  /** Enables a user disabled with `marker` (removes the lock, or sets `nsAccountLock: false`). */
  async enable(uid: string, marker: DisabledMarker): Promise<void> {
    const change =
      marker === 'pwdAccountLockedTime'
        ? 'delete: pwdAccountLockedTime\n-'
        : 'replace: nsAccountLock\nnsAccountLock: false\n-';
    await this.modify(this.userDn(uid), `changetype: modify\n${change}`);
  }

  /** Adds a user to `ou=people`. */
  async addUser(uid: string, attributes: Readonly<Record<string, string>> = {}): Promise<void> {
    const lines = [
      ldifLine('dn', this.userDn(uid)),
      'objectClass: inetOrgPerson',
      ldifLine('uid', uid),
      ldifLine('cn', attributes.cn ?? uid),
      ldifLine('sn', attributes.sn ?? uid),
    ];
    for (const [name, value] of Object.entries(attributes)) {
      if (name !== 'cn' && name !== 'sn') lines.push(ldifLine(name, value));
    }
    await this.slapd.add(`${lines.join('\n')}\n\n`);
  }

  /** Deletes a user (`ldapdelete`); memberof's referential integrity drops it from its groups. */
  async deleteUser(uid: string): Promise<void> {
    await this.slapd.delete(this.userDn(uid));
  }

  /** Renames a user with modrdn: new uid (the RDN), same entry and entryUUID. */
  async renameUser(uid: string, newUid: string): Promise<void> {
    await this.modify(
      this.userDn(uid),
      `changetype: modrdn\n${ldifLine('newrdn', `uid=${escapeDnValue(newUid)}`)}\ndeleteoldrdn: 1`,
    );
  }

  /** Moves a user out of the users' base DN, to `ou=outside` (its entryUUID stays). */
  async moveOut(uid: string): Promise<void> {
    await this.modify(
      this.userDn(uid),
      `changetype: modrdn\n${ldifLine('newrdn', `uid=${escapeDnValue(uid)}`)}\ndeleteoldrdn: 1\nnewsuperior: ${this.outsideDn}`,
    );
  }

  /** Moves a user back from `ou=outside` to `ou=people`. */
  async moveBack(uid: string): Promise<void> {
    await this.modify(
      `uid=${escapeDnValue(uid)},${this.outsideDn}`,
      `changetype: modrdn\n${ldifLine('newrdn', `uid=${escapeDnValue(uid)}`)}\ndeleteoldrdn: 1\nnewsuperior: ${this.peopleDn}`,
    );
  }

  /** Moves a group out of the groups' base DN, to `ou=outside`. */
  async moveGroupOut(cn: string): Promise<void> {
    await this.modify(
      this.groupDn(cn),
      `changetype: modrdn\n${ldifLine('newrdn', `cn=${escapeDnValue(cn)}`)}\ndeleteoldrdn: 1\nnewsuperior: ${this.outsideDn}`,
    );
  }

  /** Adds a `groupOfNames` group with these users as members (at least one: the class needs one). */
  async addGroup(cn: string, memberUids: readonly string[]): Promise<void> {
    const lines = [ldifLine('dn', this.groupDn(cn)), 'objectClass: groupOfNames', ldifLine('cn', cn)];
    for (const uid of memberUids) lines.push(ldifLine('member', this.userDn(uid)));
    await this.slapd.add(`${lines.join('\n')}\n\n`);
  }

  /** Renames a group with modrdn (same entry, same entryUUID, new cn). */
  async renameGroup(cn: string, newCn: string): Promise<void> {
    await this.modify(
      this.groupDn(cn),
      `changetype: modrdn\n${ldifLine('newrdn', `cn=${escapeDnValue(newCn)}`)}\ndeleteoldrdn: 1`,
    );
  }

  /** Adds a user to a group. */
  async addMember(cn: string, uid: string): Promise<void> {
    await this.modify(
      this.groupDn(cn),
      `changetype: modify\nadd: member\n${ldifLine('member', this.userDn(uid))}\n-`,
    );
  }

  /** Removes a user from a group. */
  async removeMember(cn: string, uid: string): Promise<void> {
    await this.modify(
      this.groupDn(cn),
      `changetype: modify\ndelete: member\n${ldifLine('member', this.userDn(uid))}\n-`,
    );
  }

  /** Deletes a group. */
  async deleteGroup(cn: string): Promise<void> {
    await this.slapd.delete(this.groupDn(cn));
  }

  /** Closes the datastores handed out. */
  async close(): Promise<void> {
    await Promise.all(this.opened.splice(0).map((datastore) => datastore.close()));
  }

  private async modify(dn: string, body: string): Promise<void> {
    await this.slapd.modify(`${ldifLine('dn', dn)}\n${body}\n\n`);
  }
}
