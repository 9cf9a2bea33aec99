// A service's page of the saga as typed data: for every event it reacts to, the step that runs,
// the events that step may emit and the events whose steps undo it. The compiler checks each
// handler against its entry; the docs, the Kafka grants' test and the tools all read this table.
import type { Knex } from 'knex'
import { eventsOf, prefixed, topicOf, type Events, type EventType, type NewEvent, type NewEventOf } from '@choreo/contracts'

/** A service that publishes events: its folder in schemas/. */
type Publisher = Parameters<typeof eventsOf>[0]

/** An event about to be enqueued, of one of the types E. */
export type NewEventIn<E extends EventType> = E extends EventType ? NewEventOf<E> : never

/** A step's handler: changes the domain inside the transaction it is given, returns what to emit. */
export type Handler<T extends EventType, E extends EventType = EventType> =
  (event: Events[T], trx: Knex.Transaction) => Promise<readonly NewEventIn<E>[]> | readonly NewEventIn<E>[]

/** What a table entry says of its step, besides the handler. */
export interface StepSpec<E extends EventType> {
  /** Every event type the handler may return: the compiler refuses a handler that returns another. */
  emits?: readonly E[]
  /** The events of the same page whose steps undo what this one did: its compensation. */
  undoneBy?: readonly EventType[]
  /** What the step does, in one line (docs/saga.md and the AsyncAPI document show it). */
  does: string
}

/** One entry of a saga page: a step for the event type T. */
export interface Step<T extends EventType = EventType, E extends EventType = EventType> {
  /** The handler's function name, which the docs and the tools show. */
  readonly name: string
  readonly handle: Handler<T, E>
  readonly emits: readonly E[]
  readonly undoneBy: readonly EventType[]
  readonly does: string
}

/** A service's page of the saga: which event triggers which step. */
export type Saga = { readonly [T in EventType]?: Step<T> }

// Any handler, before the table says which event it is for.
type AnyHandler = (event: never, trx: Knex.Transaction) => Promise<readonly NewEvent[]> | readonly NewEvent[]

interface Entry<H extends AnyHandler, E extends EventType> {
  readonly name: string
  readonly handle: H
  readonly emits: readonly E[]
  readonly undoneBy: readonly EventType[]
  readonly does: string
}

/** A table entry: the handler, and what its step may emit and what undoes it. */
export function step<H extends AnyHandler, const E extends EventType = never>(handle: H, spec: StepSpec<E>): Entry<H, E> {
  return { name: handle.name, handle, emits: spec.emits ?? [], undoneBy: spec.undoneBy ?? [], does: spec.does }
}

// Each entry's handler must take its key's event and return only the types its entry declares.
type Checked<S> = {
  [K in keyof S]: K extends EventType ? (S[K] extends { readonly emits: readonly (infer E extends EventType)[] } ? { readonly handle: Handler<K, E> } : never) : never
}

/**
 * A service's page: every entry's handler checked by the compiler against its event and its
 * `emits`; at definition, that each step has a name, emits only its service's own events (the
 * only topic it may write) and is undone by steps of this same page.
 */
export function defineSaga<S extends { [T in EventType]?: Entry<AnyHandler, EventType> }>(service: Publisher, table: S & Checked<S>): S & Saga {
  const own = new Set<EventType>(eventsOf(service))
  for (const [type, entry] of Object.entries(table) as [EventType, Entry<AnyHandler, EventType>][]) {
    const where = `${service}'s saga, ${type}`
    if (!entry.name) throw new Error(`${where}: the handler has no name (name the function) for the docs to show`)
    const foreign = entry.emits.filter((e) => !own.has(e))
    if (foreign.length > 0) throw new Error(`${where}: emits ${foreign.join(', ')}, not ${service}'s events`)
    const unknown = entry.undoneBy.filter((e) => !Object.hasOwn(table, e))
    if (unknown.length > 0) throw new Error(`${where}: undone by ${unknown.join(', ')}, which this page does not handle`)
  }
  return table as S & Saga
}

/** The topics a saga page reacts to, under the prefix. */
export function topicsOf(saga: Saga, topicPrefix: string): string[] {
  return [...new Set((Object.keys(saga) as EventType[]).map((t) => prefixed(topicPrefix, topicOf(t))))]
}
