import type { SourceGroup, SourceUser } from '../../../src/datastore/types';
import type { ScimSchema } from '../../../src/scim/models/schema';

/** An Active Directory user as LdapDatastore reads it (attribute names as AD spells them). */
export const adUser: SourceUser = {
  id: '6f9619ff-8b86-d011-b42d-00c04fc964ff',
  dn: 'CN=Barbara Jensen,OU=Staff,DC=corp,DC=example,DC=com',
  disabled: false,
  attributes: {
    objectGUID: Buffer.from('ff1996f6868b11d0b42d00c04fc964ff', 'hex'),
    sAMAccountName: 'bjensen',
    userPrincipalName: 'bjensen@corp.example.com',
    displayName: 'Barbara Jensen',
    givenName: 'Barbara',
    sn: 'Jensen',
    middleName: 'Jane',
    title: 'Tour Guide',
    mail: 'Barbara.Jensen@corp.example.com',
    telephoneNumber: '+1 555 555 5555',
    mobile: '+1 555 555 4444',
    streetAddress: '100 Universal City Plaza',
    l: 'Hollywood',
    st: 'CA',
    postalCode: '91608',
    c: 'US',
    employeeID: '701984',
    department: 'Tour Operations',
    company: 'Universal Studios',
    division: 'Theme Park',
    whenCreated: '20100101000000.0Z',
    userAccountControl: '512',
    memberOf: [
      'CN=Tour Guides,OU=Groups,DC=corp,DC=example,DC=com',
      'CN=Staff,OU=Groups,DC=corp,DC=example,DC=com',
    ],
  },
};

/** An OpenLDAP inetOrgPerson as LdapDatastore reads it. */
export const openLdapUser: SourceUser = {
  id: '9b4e2a3c-1d7f-4c2e-8a55-3f1e6b0c9d12',
  dn: 'uid=jsmith,ou=people,dc=example,dc=org',
  disabled: false,
  attributes: {
    uid: 'jsmith',
    cn: ['John Smith', 'Johnny Smith'],
    displayName: 'John Smith',
    givenName: 'John',
    sn: 'Smith',
    title: 'Engineer',
    mail: ['john.smith@example.org', 'jsmith@example.org'],
    telephoneNumber: '+44 20 7946 0000',
    mobile: '+44 7700 900000',
    street: '1 Example Street',
    l: 'London',
    postalCode: 'EC1A 1BB',
    employeeNumber: '42',
    employeeType: 'Contractor',
    departmentNumber: 'R&D',
    o: 'Example Ltd',
    preferredLanguage: 'en-GB',
    jpegPhoto: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
  },
};

/** An AD group. */
export const adGroup: SourceGroup = {
  id: '2d3c4b5a-6978-4a1b-9c8d-7e6f5a4b3c2d',
  dn: 'CN=Tour Guides,OU=Groups,DC=corp,DC=example,DC=com',
  name: 'Tour Guides',
  memberIds: [adUser.id],
  attributes: { cn: 'Tour Guides', sAMAccountName: 'TourGuides', description: 'Everyone who guides tours' },
};

/** The URN of the custom extension in {@link ACME_SCHEMA}. */
export const ACME = 'urn:example:params:scim:schemas:extension:acme:2.0:User';

/**
 * A target's custom extension: a read-only attribute, an immutable one, a write-only one, and
 * typed ones (boolean, integer, dateTime, multi-valued string).
 */
export const ACME_SCHEMA: ScimSchema = {
  id: ACME,
  name: 'AcmeUser',
  attributes: [
    { name: 'costCenter', type: 'string', multiValued: false, mutability: 'readWrite', caseExact: false },
    { name: 'badgeNumber', type: 'string', multiValued: false, mutability: 'immutable' },
    { name: 'lastLogin', type: 'dateTime', multiValued: false, mutability: 'readOnly' },
    { name: 'pin', type: 'string', multiValued: false, mutability: 'writeOnly' },
    { name: 'contractor', type: 'boolean', multiValued: false, mutability: 'readWrite' },
    { name: 'clearanceLevel', type: 'integer', multiValued: false, mutability: 'readWrite' },
    { name: 'hiredOn', type: 'dateTime', multiValued: false, mutability: 'readWrite' },
    { name: 'badgePhoto', type: 'binary', multiValued: false, mutability: 'readWrite' },
    { name: 'groupsInSource', type: 'string', multiValued: true, mutability: 'readWrite' },
    {
      name: 'site',
      type: 'complex',
      multiValued: false,
      mutability: 'readWrite',
      subAttributes: [
        { name: 'code', type: 'string', multiValued: false, mutability: 'readWrite' },
        { name: 'label', type: 'string', multiValued: false, mutability: 'readOnly' },
      ],
    },
  ],
};
