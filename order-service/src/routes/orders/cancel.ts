import type { Knex } from 'knex'
import { newEvent } from '@choreo/contracts'
import type { Cause, Messaging } from '@choreo/messaging'
import { Conflict, NotFound } from '@choreo/platform'
import { cancelDecision } from '../../domain/status.ts'
import { appendHistory } from '../../repositories/order-history.ts'
import { lockOrder, updateOrder } from '../../repositories/orders.ts'

export const DEFAULT_CANCEL_REASON = 'requested by customer'

/**
 * Accepts a cancellation: CANCELLING, and OrderCancellationRequested tells stock and payment
 * what to compensate (its stage). Asking again while it is in progress changes nothing.
 */
export async function cancelOrder(deps: { db: Knex; messaging: Messaging }, orderId: string, reason: string | undefined, cause: Cause): Promise<void> {
  await deps.messaging.transaction(async (trx) => {
    const order = await lockOrder(trx, orderId)
    if (!order) throw new NotFound('order', orderId, 'orderId')
    const decision = cancelDecision(order.status)
    if (decision === 'in-progress') return
    if (decision === 'already-shipped') throw new Conflict(`order ${orderId} has already shipped`, 'already-shipped')
    if (decision === 'already-terminal') throw new Conflict(`order ${orderId} is already ${order.status}`, 'already-terminal')
    const why = reason ?? DEFAULT_CANCEL_REASON
    const at = new Date()
    await updateOrder(trx, orderId, { status: 'CANCELLING', reason: why }, at)
    await appendHistory(trx, { orderId, status: 'CANCELLING', event: 'OrderCancellationRequested', eventId: null, reason: why, at })
    await deps.messaging.outbox.enqueue(trx, newEvent('OrderCancellationRequested', { orderId, reason: why, stage: order.status }), cause)
  })
}
