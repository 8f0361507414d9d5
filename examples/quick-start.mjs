// Quick start: keep an Aquera application in step with an LDAP directory (docs/getting-started.md).
// Run: LDAP_URL=ldaps://... LDAP_BIND_DN=... LDAP_PASSWORD=... LDAP_BASE_DN=dc=example,dc=com \
//      AQUERA_SCIM_URL=https://... AQUERA_TOKEN=... node examples/quick-start.mjs
import {
  AqueraClient,
  FileStateStore,
  LDAPV3_USER_MAPPING,
  LdapDatastore,
  ProvisioningEngine,
} from 'aquera-provisioner';

const env = process.env;
const datastore = new LdapDatastore({
  urls: env.LDAP_URL,
  bindDn: env.LDAP_BIND_DN,
  bindPassword: env.LDAP_PASSWORD,
  directory: 'ldapv3',
  users: { baseDn: `ou=people,${env.LDAP_BASE_DN}` },
  groups: { baseDn: `ou=groups,${env.LDAP_BASE_DN}` },
});
const client = new AqueraClient({
  url: env.AQUERA_SCIM_URL,
  auth: { type: 'bearer', token: env.AQUERA_TOKEN },
});
const engine = new ProvisioningEngine({
  datastore,
  client,
  state: new FileStateStore(env.STATE_FILE ?? 'aquera-provisioner.state.json'),
  mapping: { users: LDAPV3_USER_MAPPING },
});

const report = await engine.sync();
console.log(
  `users: ${report.users.created} created, ${report.users.updated} updated, ${report.users.disabled} disabled`,
);
console.log(`groups: ${report.groups.created} created; failures: ${report.failures.length}`);
await engine.close();
await datastore.close();
client.close();
