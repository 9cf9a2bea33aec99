// POST /shipments' command: ships a paid order now, ahead of the fulfilment delay.
import { Conflict, NotFound } from '@choreo/platform'
import type { Cause, Messaging } from '@choreo/messaging'
import { lockReservation } from '../../repositories/reservations.ts'
import { shipmentsOfOrder, type Shipment } from '../../repositories/shipments.ts'
import { shipOrder } from '../../steps/ship-order.ts'

/**
 * Ships the order and enqueues OrderShipped, in one transaction. Refused (409) when it shipped
 * already, was released, or is not paid in full (also while a modification's raise awaits payment).
 */
export async function shipNow(deps: { messaging: Messaging }, orderId: string, cause: Cause): Promise<Shipment> {
  return deps.messaging.transaction(async (trx) => {
    const reservation = await lockReservation(trx, orderId)
    if (!reservation) throw new NotFound('order', orderId, 'orderId')
    if (reservation.status === 'SHIPPED') throw new Conflict(`order ${orderId} has shipped already`, 'already-shipped')
    if (reservation.status === 'RELEASED') throw new Conflict(`order ${orderId} was released: cancelled, or its payment failed`, 'released')
    if (reservation.paid < reservation.total.amount) throw new Conflict(`order ${orderId} is not paid in full yet`, 'not-paid')
    if (reservation.pendingRaise) throw new Conflict(`order ${orderId} has a modification waiting for payment`, 'not-paid')
    await deps.messaging.outbox.enqueue(trx, await shipOrder(trx, reservation), cause)
    return (await shipmentsOfOrder(trx, orderId))[0]!
  })
}
