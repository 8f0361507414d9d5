// The engine's events (docs/getting-started.md, "Events"): progress, each operation, warnings,
// held removals, the report. Self-contained: an InMemoryDatastore and a ScimTestServer.
// Run: node examples/events.mjs
import { InMemoryDatastore, MemoryStateStore, ProvisioningEngine, ScimClient } from 'aquera-provisioner';
import { ScimTestServer } from 'aquera-provisioner/testing';

const person = (index) => ({
  id: `emp-${index}`,
  attributes: { uid: `user${index}`, cn: `User ${index}`, givenName: 'User', sn: `Number ${index}` },
});
const datastore = new InMemoryDatastore({ users: [1, 2, 3, 4, 5, 6].map(person) });
const server = await ScimTestServer.start();
const client = new ScimClient({ baseUrl: server.baseUrl });
const engine = new ProvisioningEngine({
  datastore,
  client,
  state: new MemoryStateStore(),
  mapping: {
    users: { userName: 'uid', displayName: 'cn', 'name.givenName': 'givenName', 'name.familyName': 'sn' },
  },
  safety: { deletionThreshold: 2 }, // at most 2 removals per cycle without allowRemovals
});

engine.on('cycleStart', ({ mode, dryRun }) =>
  console.log(`cycle start: ${mode}${dryRun ? ' (dry run)' : ''}`),
);
engine.on('progress', ({ phase, done, total }) => {
  if (total > 0 && done === total) console.log(`  ${phase}: ${done}/${total}`);
});
engine.on('userOperation', ({ op, sourceId, targetId }) =>
  console.log(`  user ${op}: ${sourceId} -> ${targetId}`),
);
engine.on('warning', (warning) => console.warn(`  warning: ${warning.message}`));
engine.on('removalsHeld', ({ count, limit }) => console.warn(`  removals held: ${count} (limit ${limit})`));
engine.on('cycleEnd', (report) => {
  console.log(
    `cycle end: ${report.users.created} created, ${report.users.disabled} disabled, held ${report.held?.count ?? 0}`,
  );
});

await engine.sync(); // creates the six users
for (const id of ['emp-2', 'emp-3', 'emp-4']) datastore.removeUser(id);
await engine.sync(); // three removals: more than the threshold, so all are held
await engine.sync({ allowRemovals: true }); // a person checked the directory: apply them
await engine.close();
client.close();
await server.close();
