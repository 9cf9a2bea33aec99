import { newEvent } from '@choreo/contracts'
import { advance } from '../domain/status.ts'
import { orderStep } from './order-step.ts'

/** ShipmentDelivered: the order is DELIVERED and final; OrderDelivered announces it once. */
export const completeDelivery = orderStep('ShipmentDelivered', (event, order) => {
  const status = advance(order.status, 'DELIVERED')
  if (status === order.status) return { reason: null }
  return { changes: { status }, reason: null, emit: [newEvent('OrderDelivered', { orderId: order.orderId, deliveredAt: event.deliveredAt })] }
})
