/**
 * The engine the crash tests run, built the same way by the child process that is killed and by
 * the test process that finishes its work, so that both read the same state the same way.
 */
import { ScimClient } from '../../../../src/client/ScimClient';
import type { DatastoreAdapter } from '../../../../src/datastore/types';
import { ProvisioningEngine } from '../../../../src/engine/ProvisioningEngine';
import { FileStateStore } from '../../../../src/engine/state/FileStateStore';

/** The user mapping: an inetOrgPerson-like source. */
export const CRASH_USER_MAPPING = {
  userName: 'uid',
  displayName: 'cn',
  'name.givenName': 'givenName',
  'name.familyName': 'sn',
  title: 'title',
  'emails[type eq "work"].value': 'mail',
  externalId: 'employeeNumber',
} as const;

/** What users that leave become. */
export type RemoveAction = 'disable' | 'delete';

/** What {@link crashEngine} needs. */
export interface CrashEngineSettings {
  readonly baseUrl: string;
  readonly statePath: string;
  readonly datastore: DatastoreAdapter;
  readonly removeAction: RemoveAction;
}

/** An engine on a FileStateStore at `statePath`, four operations at a time. */
export function crashEngine(settings: CrashEngineSettings): ProvisioningEngine {
  return new ProvisioningEngine({
    datastore: settings.datastore,
    client: new ScimClient({
      baseUrl: settings.baseUrl,
      retry: { limit: 2, baseDelay: 5, backoffLimit: 20 },
      timeout: 10_000,
    }),
    state: new FileStateStore(settings.statePath),
    mapping: { users: CRASH_USER_MAPPING },
    users: { removeAction: settings.removeAction },
    concurrency: 4,
  });
}
