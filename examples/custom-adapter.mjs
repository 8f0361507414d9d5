// A custom datastore in use: provision people and groups from CSV files (examples/data/*.csv)
// with the CsvDatastore of examples/csv-datastore.mjs (docs/custom-adapter.md).
// Against your SCIM service: SCIM_URL=https://... SCIM_TOKEN=... node examples/custom-adapter.mjs
// Without SCIM_URL it starts a ScimTestServer and provisions that.
import { fileURLToPath } from 'node:url';
import { MemoryStateStore, ProvisioningEngine, ScimClient } from 'aquera-provisioner';
import { ScimTestServer } from 'aquera-provisioner/testing';
import { CsvDatastore } from './csv-datastore.mjs';

const data = (name) => fileURLToPath(new URL(`./data/${name}`, import.meta.url));
const server = process.env.SCIM_URL === undefined ? await ScimTestServer.start() : undefined;
const client = new ScimClient({
  baseUrl: process.env.SCIM_URL ?? server.baseUrl,
  ...(process.env.SCIM_TOKEN === undefined
    ? {}
    : { auth: { type: 'bearer', token: process.env.SCIM_TOKEN } }),
});
const engine = new ProvisioningEngine({
  datastore: new CsvDatastore({ usersFile: data('users.csv'), groupsFile: data('groups.csv') }),
  client,
  state: new MemoryStateStore(), // a FileStateStore in real use, so that the next run knows what it did
  mapping: {
    users: {
      userName: 'userName',
      displayName: 'displayName',
      'name.givenName': 'givenName',
      'name.familyName': 'familyName',
      title: 'title',
      'emails[type eq "work"].value': 'email',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department': 'department',
    },
    groups: { displayName: 'name' },
  },
});

engine.on('userOperation', (event) =>
  console.log(`user  ${event.op.padEnd(7)} ${event.after?.userName ?? event.sourceId}`),
);
engine.on('groupOperation', (event) => {
  const added = Array.isArray(event.after?.added) ? ` +${event.after.added.length} members` : '';
  console.log(`group ${event.op.padEnd(7)} ${event.after?.displayName ?? event.sourceId}${added}`);
});
const report = await engine.sync();
console.log(
  `${report.users.created} users and ${report.groups.created} groups created, ${report.failures.length} failures`,
);
await engine.close();
client.close();
await server?.close();
