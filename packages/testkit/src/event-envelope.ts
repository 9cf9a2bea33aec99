// The envelope fields of an incoming event, for tests that make events by hand.
import { randomUUID } from 'node:crypto'

/** The envelope fields of an event about `orderId`: fresh ids, no cause, now. */
export function eventEnvelope(orderId: string) {
  return { eventId: randomUUID(), orderId, correlationId: randomUUID(), causationId: null, occurredAt: Date.now() }
}
