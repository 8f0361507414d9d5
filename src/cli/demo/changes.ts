/**
 * What happens in the demo company between the two syncs: a rename, a leaver, a new joiner and a
 * move between teams, made in the directory the way an administrator (or an HR feed) would.
 *
 * @module
 */
import type { DemoDirectory, DemoEntry } from './directory';

/** One change, as the demo tells it. */
export interface DemoChange {
  readonly kind: 'rename' | 'leaver' | 'joiner' | 'move';
  /** One sentence for the story. */
  readonly text: string;
  /** The uid of the person concerned after the change. */
  readonly uid: string;
}

/** ppolicy's "locked by an administrator" time: how OpenLDAP marks a disabled account. */
const ADMINISTRATIVE_LOCK = '000001010000Z';

const first = (entry: DemoEntry, name: string): string => entry.attributes[name]?.[0] ?? '';

/**
 * Makes the four changes and says what they were.
 *
 * @throws Error when the directory does not hold the people and groups the demo expects (an LDIF
 *   that is not examples/demo-company.ldif).
 */
export function changeTheDirectory(directory: DemoDirectory): DemoChange[] {
  const suffix = directory.suffix;
  const people = `ou=people,${suffix}`;
  const groupDn = (cn: string) => `cn=${cn},ou=groups,${suffix}`;
  const persons = directory.find((entry) => (entry.attributes.objectClass ?? []).includes('inetOrgPerson'));
  const managers = new Set(
    persons.flatMap((entry) => entry.attributes.manager ?? []).map((dn) => dn.toLowerCase()),
  );
  const ordinary = (entry: DemoEntry) =>
    entry.attributes.pwdAccountLockedTime === undefined && !managers.has(entry.dn.toLowerCase());
  const membersOf = (cn: string) =>
    new Set((directory.get(groupDn(cn))?.attributes.member ?? []).map((dn) => dn.toLowerCase()));
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined)
      throw new Error(`the demo directory has no ${what}: is it examples/demo-company.ldif?`);
    return value;
  };
  const changes: DemoChange[] = [];

  // A rename: someone in Marketing changes their surname; uid, mail, cn and displayName follow.
  const renamed = need(
    persons.find(
      (entry) => first(entry, 'ou') === 'Marketing' && ordinary(entry) && first(entry, 'sn') !== 'Okafor',
    ),
    'ordinary Marketing employee',
  );
  const givenName = first(renamed, 'givenName');
  const oldSurname = first(renamed, 'sn');
  const newUid = `${givenName}.okafor`.toLowerCase();
  const newDn = directory.rename(renamed.dn, `uid=${newUid}`);
  directory.modify(newDn, {
    sn: 'Okafor',
    cn: `${givenName} Okafor`,
    displayName: `${givenName} Okafor`,
    mail: `${newUid}@${first(renamed, 'mail').split('@')[1] ?? 'bluefin.example'}`,
  });
  changes.push({
    kind: 'rename',
    uid: newUid,
    text: `${givenName} ${oldSurname} (Marketing) married and took the name Okafor: new surname, mail and uid (${first(renamed, 'uid')} -> ${newUid}).`,
  });

  // A leaver: someone in Support leaves; the account is locked, as it would be on the last day.
  const support = membersOf('Customer Success - Support');
  const leaver = need(
    persons.find((entry) => support.has(entry.dn.toLowerCase()) && ordinary(entry)),
    'ordinary member of Customer Success - Support',
  );
  directory.modify(leaver.dn, { pwdAccountLockedTime: ADMINISTRATIVE_LOCK });
  changes.push({
    kind: 'leaver',
    uid: first(leaver, 'uid'),
    text: `${first(leaver, 'displayName')} (${first(leaver, 'title')}) left the company: the account was locked.`,
  });

  // A new joiner in Sales, in the Mid-Market team.
  const lead = need(
    persons.find((entry) => first(entry, 'title') === 'Sales Manager, Mid-Market'),
    'Mid-Market sales manager',
  );
  let joinerUid = 'hana.kobayashi';
  for (let suffixNumber = 2; directory.get(`uid=${joinerUid},${people}`) !== undefined; suffixNumber++) {
    joinerUid = `hana.kobayashi${suffixNumber}`;
  }
  const joinerDn = `uid=${joinerUid},${people}`;
  directory.add(joinerDn, {
    objectClass: ['top', 'person', 'organizationalPerson', 'inetOrgPerson'],
    uid: joinerUid,
    cn: 'Hana Kobayashi',
    givenName: 'Hana',
    sn: 'Kobayashi',
    displayName: 'Hana Kobayashi',
    mail: `${joinerUid}@${first(lead, 'mail').split('@')[1] ?? 'bluefin.example'}`,
    title: 'Account Executive',
    ou: 'Sales',
    departmentNumber: first(lead, 'departmentNumber'),
    o: first(lead, 'o'),
    employeeNumber: String(10_001 + persons.length),
    employeeType: 'Full-time',
    telephoneNumber: first(lead, 'telephoneNumber').replace(/ext\. \d+$/, `ext. ${2000 + persons.length}`),
    street: first(lead, 'street'),
    l: first(lead, 'l'),
    st: first(lead, 'st'),
    postalCode: first(lead, 'postalCode'),
    preferredLanguage: 'ja-JP',
    manager: lead.dn,
  });
  directory.addValues(groupDn('Sales - Mid-Market'), 'member', [joinerDn]);
  directory.addValues(groupDn(`Office - ${first(lead, 'l')}`), 'member', [joinerDn]);
  changes.push({
    kind: 'joiner',
    uid: joinerUid,
    text: `Hana Kobayashi joined Sales as an Account Executive (Mid-Market team, ${first(lead, 'l')} office).`,
  });

  // A move: another Support engineer moves to the Platform engineering team.
  const platformLead = need(
    persons.find((entry) => first(entry, 'title') === 'Engineering Manager, Platform'),
    'Platform engineering manager',
  );
  const mover = need(
    persons.find(
      (entry) =>
        support.has(entry.dn.toLowerCase()) &&
        ordinary(entry) &&
        first(entry, 'uid') !== first(leaver, 'uid'),
    ),
    'second ordinary member of Customer Success - Support',
  );
  directory.modify(mover.dn, {
    title: 'Site Reliability Engineer',
    ou: 'Engineering',
    departmentNumber: first(platformLead, 'departmentNumber'),
    manager: platformLead.dn,
  });
  directory.removeValues(groupDn('Customer Success - Support'), 'member', [mover.dn]);
  directory.addValues(groupDn('Engineering - Platform'), 'member', [mover.dn]);
  changes.push({
    kind: 'move',
    uid: first(mover, 'uid'),
    text: `${first(mover, 'displayName')} moved from Support to the Platform team as a Site Reliability Engineer.`,
  });
  return changes;
}
