// stock-service's compensations: a cancellation or failed payment gives the order's units back → StockReleased, or undoes a declined raise.
import type { Knex } from 'knex'
import { MODIFICATION_PAYMENT_DECLINED, newEvent, type Events } from '@choreo/contracts'
import { RefusedEvent } from '@choreo/messaging'
import type { Fulfilment } from '../domain/fulfilment.ts'
import { lockProducts, unreserveUnits } from '../repositories/products.ts'
import { lockReservation, setReservationStatus } from '../repositories/reservations.ts'
import { giveBackHeld, undoRaise } from './pending-raise.ts'
import { shipIfPaidInFull } from './ship-order.ts'

/** OrderCancellationRequested: give the units back unless shipped → StockReleased. */
export async function releaseOnCancellation(event: Events['OrderCancellationRequested'], trx: Knex.Transaction) {
  return releaseStock(trx, event.orderId, `cancelled: ${event.reason}`)
}

/**
 * PaymentFailed: the order cannot be paid for, so its units go back → StockReleased. Payment
 * only ever fails an order after this service's StockReserved, written with its reservation: a
 * failure of an order never reserved here is forged or a bug, and refused.
 *
 * A failure that names a modification declined only that modification's raise: the reservation
 * goes back to its lines before it → ReservationAdjusted (accepted: false, "payment declined",
 * with those lines), and the order, paid for them, ships as it would have.
 */
export function onPaymentFailure(fulfilment: Fulfilment) {
  return async function onPaymentFailure(event: Events['PaymentFailed'], trx: Knex.Transaction) {
    const reservation = await lockReservation(trx, event.orderId)
    if (!reservation) throw unreservedRefusal('PaymentFailed', event.orderId)
    if (event.modificationId === null) return releaseStock(trx, event.orderId, `payment failed: ${event.reason}`)
    // Released or shipped meanwhile: nothing held to give back. Not the pending raise: answered already.
    if (reservation.status !== 'RESERVED') return []
    const undone = await undoRaise(trx, reservation, event.modificationId)
    if (!undone) return []
    const { orderId } = event
    const reverted = newEvent('ReservationAdjusted', {
      orderId, modificationId: event.modificationId, accepted: false, reason: MODIFICATION_PAYMENT_DECLINED, ...undone, shortLines: [],
    })
    return [reverted, ...(await shipIfPaidInFull(trx, { ...reservation, ...undone }, fulfilment, event))]
  }
}

/** A payment event about an order this service never reserved: no payment follows anything but its StockReserved. */
export function unreservedRefusal(type: 'PaymentFailed' | 'PaymentCompleted', orderId: string): RefusedEvent {
  return new RefusedEvent('payment-of-unreserved-order', `${type} for order ${orderId}, which stock-service never reserved`)
}

async function releaseStock(trx: Knex.Transaction, orderId: string, reason: string) {
  const reservation = await lockReservation(trx, orderId)
  // Shipped: shipping won the race, and its OrderShipped refuses the cancel. Released: done
  // already. None: never reserved, and StockReservationFailed already told the order.
  if (reservation?.status !== 'RESERVED') return []
  // The units a pending raise held go back too (giveBackHeld locks them with the lines' products).
  await giveBackHeld(trx, reservation)
  await lockProducts(trx, reservation.lines.map((line) => line.productId))
  await unreserveUnits(trx, reservation.lines)
  await setReservationStatus(trx, orderId, 'RELEASED')
  const lines = reservation.lines.map(({ productId, quantity }) => ({ productId, quantity }))
  return [newEvent('StockReleased', { orderId, reason, lines })]
}
