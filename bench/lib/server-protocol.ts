/**
 * The messages between a benchmark and the SCIM test server it runs in a child process.
 */

import type { ScimTestServerRateLimit } from '../../src/testing/rate-limiter';
import type { ScimTestServerOptions } from '../../src/testing/ScimTestServer';

/** A request to the child, answered by a {@link ServerReply} with the same `id`. */
export type ServerCommand =
  | { readonly id: number; readonly command: 'start'; readonly options: ScimTestServerOptions }
  | { readonly id: number; readonly command: 'stats' }
  | { readonly id: number; readonly command: 'resetStats' }
  | { readonly id: number; readonly command: 'counts' }
  | { readonly id: number; readonly command: 'memory' }
  | { readonly id: number; readonly command: 'cpu' }
  | {
      readonly id: number;
      readonly command: 'setRateLimit';
      readonly rateLimit: ScimTestServerRateLimit | null;
    }
  | { readonly id: number; readonly command: 'close' };

/** The child's answer. */
export type ServerReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string };
