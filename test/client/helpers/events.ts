/**
 * Records every event a client emits, for assertions.
 */

import type { ScimClientEvents } from '../../../src/client/events';
import type { ScimClient } from '../../../src/client/ScimClient';

/** One recorded event. */
export interface RecordedEvent {
  readonly name: keyof ScimClientEvents;
  readonly payload: unknown;
}

/** Starts recording; the returned array fills as events come. */
export function recordEvents(client: ScimClient): RecordedEvent[] {
  const events: RecordedEvent[] = [];
  for (const name of ['request', 'response', 'retry', 'fallback', 'warning'] as const) {
    client.on(name, (payload: unknown) => events.push({ name, payload }));
  }
  return events;
}

/** The payloads of one kind of event. */
export function payloads<E extends keyof ScimClientEvents>(
  events: readonly RecordedEvent[],
  name: E,
): ScimClientEvents[E][0][] {
  return events
    .filter((event) => event.name === name)
    .map((event) => event.payload as ScimClientEvents[E][0]);
}
