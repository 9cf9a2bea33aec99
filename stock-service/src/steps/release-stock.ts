import type { Knex } from 'knex'
import { newEvent, type NewEvent } from '@choreo/contracts'
import type { Handler } from '@choreo/messaging'
import { lockProducts, unreserveUnits } from '../repositories/products.ts'
import { lockReservation, setReservationStatus } from '../repositories/reservations.ts'

/** OrderCancellationRequested: give the units back unless shipped → StockReleased. */
export const releaseOnCancellation: Handler<'OrderCancellationRequested'> = (event, trx) =>
  releaseStock(trx, event.orderId, `cancelled: ${event.reason}`)

/** PaymentFailed: the order cannot be paid for, so its units go back → StockReleased. */
export const releaseOnPaymentFailure: Handler<'PaymentFailed'> = (event, trx) =>
  releaseStock(trx, event.orderId, `payment failed: ${event.reason}`)

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
