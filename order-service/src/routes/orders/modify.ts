// PATCH /orders/:orderId's command: asks stock to re-reserve an order with new lines.
import { randomUUID } from 'node:crypto'
import type { Knex } from 'knex'
import { newEvent, type OrderLine } from '@choreo/contracts'
import type { Cause, Messaging } from '@choreo/messaging'
import { Conflict, NotFound } from '@choreo/platform'
import { mayActFor, type Caller } from '@choreo/platform/http'
import { modificationRefusal } from '../../domain/status.ts'
import { appendHistory } from '../../repositories/order-history.ts'
import { insertModification } from '../../repositories/order-modifications.ts'
import { lockOrder, updateOrder } from '../../repositories/orders.ts'

const REFUSALS = {
  'already-shipped': 'has already shipped',
  'not-modifiable': 'is being cancelled or is final',
  'modification-pending': 'has a modification waiting for stock',
} as const

/**
 * Asks stock to re-reserve the order with new lines. The lines change only when
 * ReservationAdjusted accepts it; until then no other modification is taken. Another
 * customer's order is not found.
 */
export async function modifyOrder(deps: { db: Knex; messaging: Messaging }, caller: Caller, orderId: string, items: readonly OrderLine[], cause: Cause): Promise<void> {
  await deps.messaging.transaction(async (trx) => {
    const order = await lockOrder(trx, orderId)
    if (!order || !mayActFor(caller, order.customerId)) throw new NotFound('order', orderId, 'orderId')
    const refusal = modificationRefusal(order.status, order.pendingModificationId !== null)
    if (refusal) throw new Conflict(`order ${orderId} ${REFUSALS[refusal]}`, refusal)
    const modificationId = randomUUID()
    const at = new Date()
    await updateOrder(trx, orderId, { pendingModificationId: modificationId }, at)
    await insertModification(trx, { modificationId, orderId, requestedAt: at })
    await appendHistory(trx, { orderId, status: order.status, event: 'OrderModificationRequested', eventId: null, reason: null, at })
    await deps.messaging.outbox.enqueue(trx, newEvent('OrderModificationRequested', { orderId, modificationId, items }), cause)
  })
}
