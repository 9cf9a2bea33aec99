import type { Knex } from 'knex'
import { newEvent, type NewEvent } from '@choreo/contracts'
import { RefusedEvent, type Handler } from '@choreo/messaging'
import { lockProducts, unreserveUnits } from '../repositories/products.ts'
import { lockReservation, setReservationStatus } from '../repositories/reservations.ts'

/** OrderCancellationRequested: give the units back unless shipped → StockReleased. */
export const releaseOnCancellation: Handler<'OrderCancellationRequested'> = (event, trx) =>
  releaseStock(trx, event.orderId, `cancelled: ${event.reason}`)

/**
 * PaymentFailed: the order cannot be paid for, so its units go back → StockReleased. Payment
 * only ever fails an order after this service's StockReserved, written with its reservation: a
 * failure of an order never reserved here is forged or a bug, and refused.
 */
export const releaseOnPaymentFailure: Handler<'PaymentFailed'> = async (event, trx) => {
  if (!(await lockReservation(trx, event.orderId))) throw unreservedRefusal('PaymentFailed', event.orderId)
  return releaseStock(trx, event.orderId, `payment failed: ${event.reason}`)
}

/** A payment event about an order this service never reserved: no payment follows anything but its StockReserved. */
export function unreservedRefusal(type: 'PaymentFailed' | 'PaymentCompleted', orderId: string): RefusedEvent {
  return new RefusedEvent('payment-of-unreserved-order', `${type} for order ${orderId}, which stock-service never reserved`)
}

async function releaseStock(trx: Knex.Transaction, orderId: string, reason: string): Promise<NewEvent[]> {
  const reservation = await lockReservation(trx, orderId)
  // Shipped: shipping won the race, and its OrderShipped refuses the cancel. Released: done
  // already. None: never reserved, and StockReservationFailed already told the order.
  if (reservation?.status !== 'RESERVED') return []
  await lockProducts(trx, reservation.lines.map((line) => line.productId))
  for (const line of reservation.lines) await unreserveUnits(trx, line.productId, line.quantity)
  await setReservationStatus(trx, orderId, 'RELEASED')
  const lines = reservation.lines.map(({ productId, quantity }) => ({ productId, quantity }))
  return [newEvent('StockReleased', { orderId, reason, lines })]
}
