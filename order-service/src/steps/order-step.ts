// What every order-service saga step shares: lock the order, move its status by statusAfter, apply the step's changes, append its history.
import type { Knex } from 'knex'
import type { Events, EventType } from '@choreo/contracts'
import type { Handler, NewEventIn } from '@choreo/messaging'
import { statusAfterEvent, type OrderStatus } from '../domain/status.ts'
import { lockOrder, updateOrder, type Order, type OrderChanges } from '../repositories/orders.ts'
import { appendHistory } from '../repositories/order-history.ts'

/** What a step decided: the order's changes besides its status, the reason to record, the events to emit. */
export interface StepOutcome<E extends EventType> {
  changes?: Omit<OrderChanges, 'status'>
  /** Why, for the history row; null when the event needs no explaining. */
  reason: string | null
  emit?: NewEventIn<E>[]
}

/** An order step: given the event, the locked order and the status the event moves it to (`statusAfter`). */
export type Step<T extends EventType, E extends EventType> =
  (event: Events[T], order: Order, trx: Knex.Transaction, next: OrderStatus) => StepOutcome<E> | Promise<StepOutcome<E>>

/**
 * Turns a step into a saga handler named as the step: locks the event's order (events of one order
 * on different topics may be handled at the same time), moves its status by the event's rule in
 * `statusAfter`, runs the step, applies its changes and appends the history row every handled
 * event gets, whatever it changed.
 */
export function orderStep<T extends EventType, E extends EventType = never>(type: T, step: Step<T, E>): Handler<T, E> {
  const handler: Handler<T, E> = async (event, trx) => {
    const order = await lockOrder(trx, event.orderId)
    // Not an order this service placed (another system's, sharing the topic): nothing to track.
    if (!order) return []
    const next = statusAfterEvent(type, order.status, event)
    const outcome = await step(event, order, trx, next)
    const at = new Date()
    const changes = next === order.status ? outcome.changes : { ...outcome.changes, status: next }
    if (changes) await updateOrder(trx, order.orderId, changes, at)
    await appendHistory(trx, {
      orderId: order.orderId,
      status: next,
      event: type,
      eventId: event.eventId,
      reason: outcome.reason,
      at,
    })
    return outcome.emit ?? []
  }
  // The saga table, the docs and the tools name a step by its function's name.
  return Object.defineProperty(handler, 'name', { value: step.name })
}
