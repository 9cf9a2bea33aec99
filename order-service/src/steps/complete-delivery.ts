// order-service's last saga step: ShipmentDelivered makes the order DELIVERED, final, and OrderDelivered announces it.
import { newEvent } from '@choreo/contracts'
import { orderStep } from './order-step.ts'

/** ShipmentDelivered: the order is DELIVERED and final; OrderDelivered announces it once. */
export const completeDelivery = orderStep('ShipmentDelivered', function completeDelivery(event, order, _trx, status) {
  if (status === order.status) return { reason: null }
  return { reason: null, emit: [newEvent('OrderDelivered', { orderId: order.orderId, deliveredAt: event.deliveredAt })] }
})
