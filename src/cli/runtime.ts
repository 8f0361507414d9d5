/**
 * The SDK objects a command works with, built from a {@link CliConfig}: the LDAP datastore, the
 * SCIM client (Aquera's or a generic one), the state store and the engine; closed together.
 *
 * @module
 */
import { AqueraClient } from '../client/AqueraClient';
import { ScimClient } from '../client/ScimClient';
import { LdapDatastore } from '../datastore/ldap/LdapDatastore';
import type { LdapConnector } from '../datastore/ldap/transport';
import { ProvisioningEngine } from '../engine/ProvisioningEngine';
import { FileStateStore } from '../engine/state/FileStateStore';
import type { StateStore } from '../engine/state/StateStore';
import type { CliConfig } from './config/load';

/** Everything a command needs, built from one configuration. */
export interface Runtime {
  readonly config: CliConfig;
  readonly datastore: LdapDatastore;
  readonly client: ScimClient;
  readonly engine: ProvisioningEngine;
  /**
   * Closes the engine (saving the state), the LDAP connection and the HTTP agents. Safe to call
   * twice. With `saveState: false` (after `plan` or a dry run) the state file is closed without the
   * engine's final save, so that it is left byte for byte as it was.
   */
  close(options?: { readonly saveState?: boolean }): Promise<void>;
}

/** Replacements for tests and embedding: a state store, an LDAP connector. */
export interface RuntimeOverrides {
  /** @default new FileStateStore(config.stateFile) */
  readonly state?: StateStore;
  /** @default the ldapjs connector */
  readonly connector?: LdapConnector;
}

/**
 * Builds the datastore, client and engine. Nothing connects yet: the first read or request does.
 *
 * @throws LdapConfigError, EngineOptionsError, MappingError or a client option TypeError when the
 *   configuration passed the schema but not the SDK's own checks (an invalid DN, for instance).
 * @example
 * ```ts
 * const runtime = createRuntime(await loadConfig('provisioner.json', { env: process.env, cwd: process.cwd() }));
 * try {
 *   await runtime.engine.sync();
 * } finally {
 *   await runtime.close();
 * }
 * ```
 */
export function createRuntime(config: CliConfig, overrides: RuntimeOverrides = {}): Runtime {
  const datastore = new LdapDatastore(
    overrides.connector === undefined ? config.source : { ...config.source, connector: overrides.connector },
  );
  let client: ScimClient | undefined;
  try {
    client =
      config.target.type === 'aquera'
        ? new AqueraClient(config.target.options)
        : new ScimClient(config.target.options);
    const state = overrides.state ?? new FileStateStore(config.stateFile);
    const engine = new ProvisioningEngine({
      ...config.engine,
      datastore,
      client,
      state,
    });
    const built = client;
    let closing: Promise<void> | undefined;
    return {
      config,
      datastore,
      client: built,
      engine,
      close: (options = {}) => {
        closing ??= (async () => {
          try {
            // The engine's close() saves the state it loaded, even when nothing was applied.
            if (options.saveState === false) await state.close();
            else await engine.close();
          } finally {
            built.close();
            await datastore.close().catch(() => undefined);
          }
        })();
        return closing;
      },
    };
  } catch (error) {
    client?.close();
    void datastore.close().catch(() => undefined);
    throw error;
  }
}
