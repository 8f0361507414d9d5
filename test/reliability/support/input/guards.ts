/**
 * Process-wide guards a hostile case ends with: no prototype polluted, no unhandled rejection, no
 * uncaught exception.
 */
import type { SeenRequest } from './hostile-target';

const PROTOTYPES: readonly [string, object][] = [
  ['Object.prototype', Object.prototype],
  ['Array.prototype', Array.prototype],
  ['Function.prototype', Function.prototype],
];

/** The own property names of the built-in prototypes, to compare after a case. */
export function prototypeFingerprint(): string {
  return PROTOTYPES.map(
    ([name, proto]) => `${name}:${Reflect.ownKeys(proto).map(String).sort().join(',')}`,
  ).join('\n');
}

/** True when a hostile key reached a prototype (`({}).polluted` and friends). */
export function isPolluted(): boolean {
  const probe: Record<string, unknown> = {};
  return (
    probe.polluted !== undefined ||
    probe.isAdmin !== undefined ||
    ([] as unknown as Record<string, unknown>).polluted !== undefined
  );
}

/** Collects unhandled rejections and uncaught exceptions while installed. */
export function watchProcess(): { readonly problems: unknown[]; stop(): void } {
  const problems: unknown[] = [];
  const onProblem = (reason: unknown) => problems.push(reason);
  process.on('unhandledRejection', onProblem);
  process.on('uncaughtException', onProblem);
  return {
    problems,
    stop() {
      process.off('unhandledRejection', onProblem);
      process.off('uncaughtException', onProblem);
    },
  };
}

/** Requests that remove or disable a user: DELETEs, and PUTs or PATCHes that set `active` to false. */
export function removals(requests: readonly SeenRequest[]): SeenRequest[] {
  return requests.filter(
    (request) =>
      request.method === 'DELETE' ||
      ((request.method === 'PUT' || request.method === 'PATCH') &&
        /"active"\s*:\s*(false|"false")/i.test(request.body)),
  );
}
