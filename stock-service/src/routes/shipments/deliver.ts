// POST /shipments/:shipmentId/deliver's command: records the carrier's delivery and enqueues ShipmentDelivered.
import { newEvent } from '@choreo/contracts'
import type { Cause, Messaging } from '@choreo/messaging'
import { Conflict, NotFound } from '@choreo/platform'
import { lockShipment, markDelivered } from '../../repositories/shipments.ts'

/** Marks the shipment delivered, once: a second delivery of it is refused (409). */
export async function deliverShipment(deps: { messaging: Messaging }, shipmentId: string, cause: Cause): Promise<void> {
  await deps.messaging.transaction(async (trx) => {
    const shipment = await lockShipment(trx, shipmentId)
    if (!shipment) throw new NotFound('shipment', shipmentId, 'shipmentId')
    if (shipment.status === 'DELIVERED') throw new Conflict(`shipment ${shipmentId} was delivered already`, 'already-delivered')
    const deliveredAt = new Date()
    await markDelivered(trx, shipmentId, deliveredAt)
    await deps.messaging.outbox.enqueue(trx, newEvent('ShipmentDelivered', { orderId: shipment.orderId, shipmentId, deliveredAt: deliveredAt.getTime() }), cause)
  })
}
