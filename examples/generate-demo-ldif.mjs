#!/usr/bin/env node
/**
 * Generates examples/demo-company.ldif: Bluefin Analytics, a fictional company of about 250 people,
 * for `aquera-provisioner demo` and for trying the provisioner against your own test directory.
 *
 * The output is a pure function of this script (a seeded random generator), so running it again
 * gives the same file byte for byte; a test checks that the committed LDIF is in step with it.
 *
 * What is in it (suffix dc=bluefin,dc=example):
 * - ou=people: inetOrgPerson entries with names, titles, departments, mail, phones, offices,
 *   employee numbers and types, preferred languages and managers (a reporting tree under the CEO);
 *   a few accounts are disabled with ppolicy's administrative lock (pwdAccountLockedTime
 *   000001010000Z), as OpenLDAP marks them;
 * - ou=groups: groupOfNames groups: departments, teams nested in their department, "All Staff"
 *   made of the department groups, offices, people managers, and application access groups that
 *   nest whole departments.
 *
 * Run: node examples/generate-demo-ldif.mjs            (writes examples/demo-company.ldif)
 *      node examples/generate-demo-ldif.mjs --stdout   (prints it)
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SUFFIX = 'dc=bluefin,dc=example';
const PEOPLE = `ou=people,${SUFFIX}`;
const GROUPS = `ou=groups,${SUFFIX}`;
const MAIL_DOMAIN = 'bluefin.example';
const COMPANY = 'Bluefin Analytics';
const DISABLED_MARK = '000001010000Z';

/** A small deterministic random generator (mulberry32). */
function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = seededRandom(20_240_607);
const pick = (list) => list[Math.floor(random() * list.length)];

const GIVEN_NAMES = `
  Aaliyah Aarav Abigail Adrian Aiko Alejandro Amara Amelia Ananya Andre Anika Arjun Beatriz
  Benjamin Bianca Caleb Camila Carlos Chen Chloe Chidi Clara Daniel Daria David Diego Eleanor
  Elena Elijah Emeka Emily Emma Ethan Fatima Felix Gabriel Grace Hana Hannah Hiroshi Ibrahim Imani
  Isabel Isaac Ivan Jamal James Jasmine Javier Jin Julia Kai Kavya Kenji Keisha Laila Leah Leo
  Lina Lucas Lucia Luis Maya Mateo Mei Mia Mohammed Nadia Naomi Nathan Nia Noah Olivia Omar Oscar
  Priya Rafael Rahul Rosa Ruth Samuel Sara Sebastian Sofia Tariq Thomas Valentina Victor Wei Yara
  Yusuf Zara Zoe Marcus Ingrid Tomas Leila Kwame Astrid Mateus
`
  .trim()
  .split(/\s+/);
const SURNAMES = `
  Abara Adeyemi Ahmed Alvarez Andersen Bauer Becker Bennett Brooks Campbell Castillo Chen Choi
  Cohen Costa Das Diaz Dubois Edwards Fernandes Fischer Flores Garcia Gupta Hansen Harris Hayashi
  Hughes Ibrahim Ito Jackson Jensen Johnson Kapoor Kaur Khan Kim Kowalski Kumar Larsen Lee Lopez
  Martin Mendes Meyer Moreau Morales Murphy Nakamura Nguyen Novak Obi Okafor Oliveira Ortiz Park
  Patel Perez Petrov Quinn Ramirez Rao Reyes Richter Rivera Romero Rossi Sato Schmidt Shah Silva
  Singh Sokolov Suzuki Tanaka Taylor Thompson Torres Tran Turner Vargas Wagner Walker Wang
  Watanabe Weber Williams Wilson Wong Wright Yamamoto Yang Young Zhang Zhou Lindqvist Mensah
  Haddad Novotny Byrne
`
  .trim()
  .split(/\s+/);

const OFFICES = [
  {
    name: 'San Francisco',
    street: '500 Howard Street',
    l: 'San Francisco',
    st: 'CA',
    postalCode: '94105',
    area: '415',
    weight: 0.5,
  },
  {
    name: 'Austin',
    street: '301 Congress Avenue',
    l: 'Austin',
    st: 'TX',
    postalCode: '78701',
    area: '512',
    weight: 0.3,
  },
  {
    name: 'New York',
    street: '85 Broad Street',
    l: 'New York',
    st: 'NY',
    postalCode: '10004',
    area: '212',
    weight: 0.2,
  },
];
const LANGUAGES = [
  'en-US',
  'en-US',
  'en-US',
  'en-US',
  'en-US',
  'en-US',
  'es-US',
  'fr-CA',
  'de-DE',
  'ja-JP',
  'hi-IN',
  'pt-BR',
];

/**
 * Departments: a head, then teams (a lead and members). A department without teams has one
 * unnamed team whose lead is the head.
 */
const DEPARTMENTS = [
  {
    name: 'Executive',
    number: '1000',
    head: 'Chief Executive Officer',
    teams: [{ members: 2, titles: ['Chief of Staff', 'Executive Assistant'] }],
  },
  {
    name: 'Engineering',
    number: '2000',
    head: 'Chief Technology Officer',
    teams: [
      {
        name: 'Platform',
        lead: 'Engineering Manager, Platform',
        members: 18,
        titles: [
          'Senior Software Engineer',
          'Software Engineer',
          'Staff Engineer',
          'Site Reliability Engineer',
        ],
      },
      {
        name: 'Data',
        lead: 'Engineering Manager, Data',
        members: 12,
        titles: ['Data Engineer', 'Senior Data Engineer', 'Machine Learning Engineer'],
      },
      {
        name: 'Mobile',
        lead: 'Engineering Manager, Mobile',
        members: 9,
        titles: ['iOS Engineer', 'Android Engineer', 'Senior Mobile Engineer'],
      },
      {
        name: 'Web',
        lead: 'Engineering Manager, Web',
        members: 16,
        titles: ['Frontend Engineer', 'Senior Frontend Engineer', 'Software Engineer'],
      },
      {
        name: 'Data Science',
        lead: 'Data Science Manager',
        members: 8,
        titles: ['Data Scientist', 'Senior Data Scientist'],
      },
      {
        name: 'Security',
        lead: 'Security Lead',
        members: 5,
        titles: ['Security Engineer', 'Application Security Engineer'],
      },
      { name: 'QA', lead: 'QA Manager', members: 6, titles: ['QA Engineer', 'Test Automation Engineer'] },
    ],
  },
  {
    name: 'Product',
    number: '3000',
    head: 'VP of Product',
    teams: [
      { members: 10, titles: ['Product Manager', 'Senior Product Manager', 'Technical Product Manager'] },
    ],
  },
  {
    name: 'Design',
    number: '3100',
    head: 'Head of Design',
    teams: [{ members: 8, titles: ['Product Designer', 'Senior Product Designer', 'UX Researcher'] }],
  },
  {
    name: 'Sales',
    number: '4000',
    head: 'VP of Sales',
    teams: [
      {
        name: 'Enterprise',
        lead: 'Sales Director, Enterprise',
        members: 18,
        titles: ['Enterprise Account Executive', 'Account Executive'],
      },
      {
        name: 'Mid-Market',
        lead: 'Sales Manager, Mid-Market',
        members: 18,
        titles: ['Account Executive', 'Sales Development Representative'],
      },
      {
        name: 'Solutions Engineering',
        lead: 'Solutions Engineering Manager',
        members: 8,
        titles: ['Solutions Engineer', 'Senior Solutions Engineer'],
      },
    ],
  },
  {
    name: 'Marketing',
    number: '4100',
    head: 'VP of Marketing',
    teams: [
      {
        members: 18,
        titles: [
          'Marketing Manager',
          'Content Strategist',
          'Product Marketing Manager',
          'Demand Generation Manager',
          'Designer',
        ],
      },
    ],
  },
  {
    name: 'Customer Success',
    number: '4200',
    head: 'Director of Customer Success',
    teams: [
      {
        name: 'Support',
        lead: 'Support Manager',
        members: 20,
        titles: ['Support Engineer', 'Senior Support Engineer'],
      },
      {
        name: 'Account Management',
        lead: 'Customer Success Manager Lead',
        members: 10,
        titles: ['Customer Success Manager'],
      },
    ],
  },
  {
    name: 'Finance',
    number: '5000',
    head: 'Chief Financial Officer',
    teams: [{ members: 11, titles: ['Financial Analyst', 'Accountant', 'Controller', 'Payroll Specialist'] }],
  },
  {
    name: 'People',
    number: '5100',
    head: 'Chief People Officer',
    teams: [{ members: 8, titles: ['HR Business Partner', 'Recruiter', 'People Operations Specialist'] }],
  },
  {
    name: 'Legal',
    number: '5200',
    head: 'General Counsel',
    teams: [{ members: 4, titles: ['Corporate Counsel', 'Paralegal'] }],
  },
  {
    name: 'IT',
    number: '5300',
    head: 'Director of IT',
    teams: [{ members: 9, titles: ['IT Support Specialist', 'Systems Administrator', 'Identity Engineer'] }],
  },
  {
    name: 'Operations',
    number: '6000',
    head: 'Chief Operating Officer',
    teams: [
      {
        members: 14,
        titles: ['Operations Analyst', 'Office Manager', 'Procurement Specialist', 'Facilities Coordinator'],
      },
    ],
  },
];

// --- people ------------------------------------------------------------------------------------

const people = [];
const usedUids = new Set();

function newPerson({ title, department, team, manager }) {
  let givenName;
  let sn;
  let uid;
  for (let attempt = 0; attempt < 1000; attempt++) {
    givenName = pick(GIVEN_NAMES);
    sn = pick(SURNAMES);
    uid = `${givenName}.${sn}`.toLowerCase();
    if (!usedUids.has(uid)) break;
  }
  usedUids.add(uid);
  const index = people.length;
  const roll = random();
  let office = OFFICES[OFFICES.length - 1];
  let cumulative = 0;
  for (const candidate of OFFICES) {
    cumulative += candidate.weight;
    if (roll < cumulative) {
      office = candidate;
      break;
    }
  }
  const employeeType = random() < 0.06 ? 'Contractor' : random() < 0.03 ? 'Intern' : 'Full-time';
  const person = {
    uid,
    dn: `uid=${uid},${PEOPLE}`,
    givenName,
    sn,
    title: employeeType === 'Intern' ? `${title} Intern` : title,
    department,
    team,
    manager,
    office,
    employeeNumber: String(10_001 + index),
    employeeType,
    telephoneNumber: `+1 ${office.area} 555 0100 ext. ${2000 + index}`,
    mobile:
      random() < 0.7
        ? `+1 ${office.area} 555 01${String(Math.floor(random() * 100)).padStart(2, '0')}`
        : undefined,
    preferredLanguage: pick(LANGUAGES),
    disabled: false,
    reports: [],
  };
  if (manager !== undefined) manager.reports.push(person);
  people.push(person);
  return person;
}

const ceo = newPerson({ title: 'Chief Executive Officer', department: DEPARTMENTS[0] });
const departmentPeople = new Map(DEPARTMENTS.map((department) => [department.name, []]));
const teamPeople = new Map();
departmentPeople.get('Executive').push(ceo);

for (const department of DEPARTMENTS) {
  const head =
    department.name === 'Executive' ? ceo : newPerson({ title: department.head, department, manager: ceo });
  if (head !== ceo) departmentPeople.get(department.name).push(head);
  for (const team of department.teams) {
    const lead =
      team.lead === undefined ? head : newPerson({ title: team.lead, department, team, manager: head });
    const members = [];
    if (lead !== head) members.push(lead);
    for (let index = 0; index < team.members; index++) {
      members.push(newPerson({ title: pick(team.titles), department, team, manager: lead }));
    }
    if (team.name === undefined) departmentPeople.get(department.name).push(...members);
    else teamPeople.set(`${department.name} - ${team.name}`, { department, members });
  }
}

// A few disabled accounts: people who left and whose accounts are locked, not yet deleted.
const candidates = people.filter((person) => person.reports.length === 0);
for (let count = 0; count < 7; ) {
  const person = pick(candidates);
  if (person.disabled) continue;
  person.disabled = true;
  count++;
}

// --- groups ------------------------------------------------------------------------------------

const groups = [];
const groupDn = (cn) => `cn=${cn},${GROUPS}`;
function group(cn, description, members) {
  const unique = [...new Set(members)];
  if (unique.length === 0) throw new Error(`group ${cn} has no member`);
  groups.push({ cn, description, members: unique });
}

for (const [cn, { members }] of teamPeople) {
  group(
    cn,
    `The ${cn.split(' - ')[1]} team`,
    members.map((person) => person.dn),
  );
}
for (const department of DEPARTMENTS) {
  const teams = [...teamPeople.keys()].filter((cn) => cn.startsWith(`${department.name} - `));
  group(department.name, `Everyone in ${department.name}`, [
    ...departmentPeople.get(department.name).map((person) => person.dn),
    ...teams.map(groupDn),
  ]);
}
group(
  'All Staff',
  `Everyone at ${COMPANY}`,
  DEPARTMENTS.map((department) => groupDn(department.name)),
);
group(
  'People Managers',
  'Everyone with direct reports',
  people.filter((person) => person.reports.length > 0).map((person) => person.dn),
);
for (const office of OFFICES) {
  group(
    `Office - ${office.name}`,
    `Based in the ${office.name} office`,
    people.filter((person) => person.office === office).map((person) => person.dn),
  );
}
group('GitHub Users', 'Access to GitHub Enterprise', [
  groupDn('Engineering'),
  groupDn('Design'),
  groupDn('Product'),
]);
group('Salesforce Users', 'Access to Salesforce', [
  groupDn('Sales'),
  groupDn('Customer Success'),
  ...departmentPeople
    .get('Marketing')
    .slice(0, 5)
    .map((person) => person.dn),
]);
group('VPN Users', 'Remote access', [
  groupDn('Engineering'),
  groupDn('IT'),
  groupDn('Customer Success - Support'),
]);
group(
  'Finance Approvers',
  'May approve purchases and expenses',
  [
    ...departmentPeople.get('Finance').slice(0, 4),
    ...people.filter((person) => person.title.startsWith('Chief')),
  ].map((person) => person.dn),
);
group(
  'Contractors',
  'Contractors and interns: limited access',
  people.filter((person) => person.employeeType !== 'Full-time').map((person) => person.dn),
);

// --- LDIF --------------------------------------------------------------------------------------

/**
 * `name: value` when the value is an RFC 2849 SAFE-STRING (printable ASCII, not starting with a
 * space, `:` or `<`, not ending with a space); `name:: base64` otherwise.
 */
function line(name, value) {
  const codes = [...value].map((character) => character.codePointAt(0) ?? 0);
  const printable = codes.every((code) => code >= 0x20 && code <= 0x7e);
  const safe = printable && !/^[ :<]/.test(value) && !value.endsWith(' ');
  return safe ? `${name}: ${value}` : `${name}:: ${Buffer.from(value, 'utf8').toString('base64')}`;
}
function entry(dn, attributes) {
  return [line('dn', dn), ...attributes.map(([name, value]) => line(name, value)), ''].join('\n');
}

const records = [
  entry(SUFFIX, [
    ['objectClass', 'top'],
    ['objectClass', 'dcObject'],
    ['objectClass', 'organization'],
    ['dc', 'bluefin'],
    ['o', COMPANY],
  ]),
  entry(PEOPLE, [
    ['objectClass', 'top'],
    ['objectClass', 'organizationalUnit'],
    ['ou', 'people'],
    ['description', 'Employees and contractors'],
  ]),
  entry(GROUPS, [
    ['objectClass', 'top'],
    ['objectClass', 'organizationalUnit'],
    ['ou', 'groups'],
    ['description', 'Departments, teams, offices and application access'],
  ]),
];
for (const person of people) {
  const attributes = [
    ['objectClass', 'top'],
    ['objectClass', 'person'],
    ['objectClass', 'organizationalPerson'],
    ['objectClass', 'inetOrgPerson'],
    ['uid', person.uid],
    ['cn', `${person.givenName} ${person.sn}`],
    ['givenName', person.givenName],
    ['sn', person.sn],
    ['displayName', `${person.givenName} ${person.sn}`],
    ['mail', `${person.uid}@${MAIL_DOMAIN}`],
    ['title', person.title],
    ['ou', person.department.name],
    ['departmentNumber', person.department.number],
    ['o', COMPANY],
    ['employeeNumber', person.employeeNumber],
    ['employeeType', person.employeeType],
    ['telephoneNumber', person.telephoneNumber],
    ...(person.mobile === undefined ? [] : [['mobile', person.mobile]]),
    ['street', person.office.street],
    ['l', person.office.l],
    ['st', person.office.st],
    ['postalCode', person.office.postalCode],
    ['preferredLanguage', person.preferredLanguage],
    ...(person.manager === undefined ? [] : [['manager', person.manager.dn]]),
    ...(person.disabled ? [['pwdAccountLockedTime', DISABLED_MARK]] : []),
  ];
  records.push(entry(person.dn, attributes));
}
for (const { cn, description, members } of groups) {
  records.push(
    entry(groupDn(cn), [
      ['objectClass', 'top'],
      ['objectClass', 'groupOfNames'],
      ['cn', cn],
      ['description', description],
      ...members.map((member) => ['member', member]),
    ]),
  );
}

const header = [
  `# ${COMPANY}: a fictional company for the aquera-provisioner demo.`,
  '# Generated by examples/generate-demo-ldif.mjs; edit that script, not this file.',
  `# ${people.length} people (${people.filter((person) => person.disabled).length} disabled), ${groups.length} groups.`,
  '',
].join('\n');
const ldif = `${header}\n${records.join('\n')}`;

if (process.argv.includes('--stdout')) {
  process.stdout.write(ldif);
} else {
  const target = fileURLToPath(new URL('./demo-company.ldif', import.meta.url));
  writeFileSync(target, ldif);
  console.log(`wrote ${target}: ${people.length} people, ${groups.length} groups`);
}
