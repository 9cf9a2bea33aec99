import type { Knex } from 'knex'
import type { Events, EventType, NewEvent } from '@choreo/contracts'
import type { Handler } from '@choreo/messaging'
import { lockOrder, updateOrder, type Order, type OrderChanges } from '../repositories/orders.ts'
import { appendHistory } from '../repositories/order-history.ts'

/** What a step decided: the order's changes, the reason to record, the events to emit. */
export interface StepOutcome {
  changes?: OrderChanges
  /** Why, for the history row; null when the event needs no explaining. */
  reason: string | null
  emit?: NewEvent[]
}

export type Step<T extends EventType> = (event: Events[T], order: Order, trx: Knex.Transaction) => StepOutcome | Promise<StepOutcome>

/**
 * Turns a step into a saga handler: locks the event's order (events of one order on different
 * topics may be handled at the same time), runs the step, applies its changes and appends the
 * history row every handled event gets, whatever it changed.
 */
export function orderStep<T extends EventType>(type: T, step: Step<T>): Handler<T> {
  return async (event, trx) => {
    const order = await lockOrder(trx, event.orderId)
    // Not an order this service placed (another system's, sharing the topic): nothing to track.
    if (!order) return []
    const outcome = await step(event, order, trx)
    const at = new Date()
    if (outcome.changes) await updateOrder(trx, order.orderId, outcome.changes, at)
    await appendHistory(trx, {
      orderId: order.orderId,
      status: outcome.changes?.status ?? order.status,
      event: type,
      eventId: event.eventId,
      reason: outcome.reason,
      at,
    })
    return outcome.emit ?? []
  }
}
