/**
 * A generated company in an `InMemoryDatastore`: users with the attributes the test mapping reads,
 * a few large groups and many small ones, built from a seed so that every run is the same. The
 * expected target is derived from the datastore's own content (see `expected.ts`), never typed in.
 */
import {
  InMemoryDatastore,
  type InMemoryUserInput,
} from '../../../../src/datastore/memory/InMemoryDatastore';
import { createSeededRandom } from '../../../../src/testing/faults';

/** The user mapping of the reliability tests (an inetOrgPerson-like source). */
export const COMPANY_USER_MAPPING = {
  userName: 'uid',
  displayName: 'cn',
  'name.givenName': 'givenName',
  'name.familyName': 'sn',
  title: 'title',
  'emails[type eq "work"].value': 'mail',
  externalId: 'employeeNumber',
} as const;

/** Size of a generated company. */
export interface CompanySize {
  readonly users: number;
  readonly groups: number;
  /** Members of each of the (up to three) large groups. */
  readonly largeGroupMembers: number;
}

/** The source user numbered `index`. */
export function companyUser(index: number, title = 'Engineer'): InMemoryUserInput {
  const padded = String(index).padStart(5, '0');
  return {
    id: `u${padded}`,
    disabled: false,
    attributes: {
      uid: `user${padded}`,
      cn: `User ${padded}`,
      givenName: 'User',
      sn: `Number${padded}`,
      title,
      mail: `user${padded}@example.com`,
      employeeNumber: `E${padded}`,
    },
  };
}

/** The source id of group `index`. */
export function companyGroupId(index: number): string {
  return `g${String(index).padStart(4, '0')}`;
}

/**
 * A datastore holding `size.users` users and `size.groups` groups: groups 0 to 2 are large
 * (`largeGroupMembers` users each, overlapping), the others hold 3 to 30 users drawn with `seed`.
 */
export function companyDatastore(size: CompanySize, seed: number): InMemoryDatastore {
  const random = createSeededRandom(seed);
  const users = Array.from({ length: size.users }, (_, index) => companyUser(index));
  const datastore = new InMemoryDatastore({ users });
  const large = Math.min(size.largeGroupMembers, size.users);
  for (let index = 0; index < size.groups; index += 1) {
    const members = new Set<string>();
    if (index < 3) {
      // Overlapping windows: everyone is in at least one large group when large * 3 >= users.
      const start = Math.floor((index * size.users) / 3);
      for (let offset = 0; offset < large; offset += 1) members.add(users[(start + offset) % size.users]!.id);
    } else {
      const count = 3 + Math.floor(random() * 28);
      for (let draw = 0; draw < count; draw += 1) {
        members.add(users[Math.floor(random() * size.users)]!.id);
      }
    }
    datastore.addGroup({ id: companyGroupId(index), name: `Team ${index}`, memberIds: [...members] });
  }
  return datastore;
}
