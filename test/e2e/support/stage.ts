/**
 * What one e2e test file shares: a throwaway slapd and a ScimTestServer, started once. Each test
 * takes a {@link Scene} (its own tenant in the directory, its own client) and {@link Stage.reset}
 * puts the target back to empty, quirk-free and fault-free between tests.
 *
 * @example
 * ```ts
 * let stage: Stage;
 * beforeAll(async () => { stage = await Stage.open(); });
 * afterEach(() => stage.reset());
 * afterAll(() => stage?.close());
 * it('...', async () => {
 *   const scene = await stage.scene({ users: 8 });
 *   await scene.engine().sync();
 * });
 * ```
 */
import type { ScimClientOptions } from '../../../src/client/options';
import type { ScimClient } from '../../../src/client/ScimClient';
import type { LdapDatastore } from '../../../src/datastore/ldap/LdapDatastore';
import type { LdapDatastoreOptions } from '../../../src/datastore/ldap/options';
import type { EngineOptions } from '../../../src/engine/options';
import type { ProvisioningEngine } from '../../../src/engine/ProvisioningEngine';
import { ScimTestServer, type ScimTestServerOptions } from '../../../src/testing/ScimTestServer';
import { type SlapdHandle, startSlapd } from '../../support/ldap/slapd';
import { clientFor, engineFor } from './pipeline';
import { Tenant, type TenantCompany } from './tenant';

/** One test's pieces: its tenant, a client on the stage's server, and engines wired to them. */
export interface Scene {
  readonly tenant: Tenant;
  readonly server: ScimTestServer;
  readonly client: ScimClient;
  /** A new datastore on the tenant (the scene closes it). */
  datastore(overrides?: Partial<LdapDatastoreOptions>): LdapDatastore;
  /**
   * An engine from the tenant to the server (LDAPv3 mapping, in-memory state, no threshold). Pass
   * `datastore` to read the tenant with other settings; without it, every engine of the scene
   * reads through one shared datastore.
   */
  engine(overrides?: Partial<EngineOptions>): ProvisioningEngine;
}

/** A slapd and a ScimTestServer shared by the tests of one file. */
export class Stage {
  readonly slapd: SlapdHandle;
  readonly server: ScimTestServer;
  private readonly cleanups: Array<() => unknown> = [];

  private constructor(slapd: SlapdHandle, server: ScimTestServer) {
    this.slapd = slapd;
    this.server = server;
  }

  /** Starts both (in parallel). */
  static async open(server: ScimTestServerOptions = {}): Promise<Stage> {
    const [slapd, target] = await Promise.allSettled([startSlapd(), ScimTestServer.start(server)]);
    if (slapd.status === 'fulfilled' && target.status === 'fulfilled')
      return new Stage(slapd.value, target.value);
    if (slapd.status === 'fulfilled') await slapd.value.stop();
    if (target.status === 'fulfilled') await target.value.close();
    throw slapd.status === 'rejected' ? slapd.reason : (target as PromiseRejectedResult).reason;
  }

  /** Seeds a tenant and opens a client for one test. Closed by {@link Stage.reset}. */
  async scene(company: TenantCompany = {}, clientOptions: Partial<ScimClientOptions> = {}): Promise<Scene> {
    const tenant = await Tenant.seed(this.slapd, company);
    const client = clientFor(this.server.baseUrl, clientOptions);
    this.cleanups.push(
      () => client.close(),
      () => tenant.close(),
    );
    let shared: LdapDatastore | undefined;
    return {
      tenant,
      server: this.server,
      client,
      datastore: (overrides) => tenant.datastore(overrides),
      engine: (overrides = {}) => {
        shared ??= tenant.datastore();
        return engineFor(shared, client, overrides);
      },
    };
  }

  /** Closes the scenes' clients and datastores, empties the server and turns its quirks and faults off. */
  async reset(): Promise<void> {
    for (const cleanup of this.cleanups.splice(0).reverse()) await cleanup();
    this.server.clear();
    this.server.resetQuirks();
    this.server.setFaults(undefined);
    this.server.resetStats();
  }

  /** Stops everything. */
  async close(): Promise<void> {
    await this.reset();
    await this.server.close();
    await this.slapd.stop();
  }
}
