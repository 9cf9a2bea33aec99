// Events as the code handles them: the data a route or step supplies, the metadata the outbox fills in, and an event as consumed.
import type { Events, EventType } from './events.generated.ts'

/** Fields every event carries, filled in by the outbox at enqueue time. */
export type MetadataField = 'eventId' | 'correlationId' | 'causationId' | 'occurredAt'

/** What a handler or route supplies for an event: everything but the metadata. */
export type EventData<T extends EventType> = Omit<Events[T], MetadataField>

/** An event of type T about to be enqueued. */
export type NewEventOf<T extends EventType> = { type: T; data: EventData<T> }

/** An event about to be enqueued, of any type. */
export type NewEvent = { [T in EventType]: NewEventOf<T> }[EventType]

/** An event as consumed: its type and its decoded payload. */
export type ReceivedEvent = { [T in EventType]: { type: T; payload: Events[T] } }[EventType]

/** Builds a NewEvent with its data checked against the event's generated type. */
export function newEvent<T extends EventType>(type: T, data: EventData<T>): NewEventOf<T> {
  return { type, data }
}
