// stock-service's step for PaymentRefunded: an adjusted refund lowers what is paid; a released one of a reservation it never released is refused.
import type { Knex } from 'knex'
import { assertCurrency, type Events } from '@choreo/contracts'
import { RefusedEvent } from '@choreo/messaging'
import { addPaid, lockReservation, scheduleShipment } from '../repositories/reservations.ts'

/** The refund of a modification that lowered the total; the other reason, 'released', settles a released order. */
const ADJUSTED_REFUND = 'adjusted'

/**
 * PaymentRefunded(adjusted): what pays for the reservation shrinks; emits nothing.
 * PaymentRefunded(released): payment refunds a release only after this service's StockReleased,
 * so the reservation is RELEASED and there is nothing to do. One that is still RESERVED was not
 * released here: payment was told of a release stock never made (a forged StockReleased). The
 * money is gone, so the reservation must not ship on it: what is paid drops by the refund and a
 * scheduled shipment is called off (the order waits, paid for no more), and the event is refused
 * with that containment committed, so it is dead-lettered and counted for someone to look at.
 * Shipped already: nothing to hold back, refused all the same.
 */
export async function recordRefund(event: Events['PaymentRefunded'], trx: Knex.Transaction) {
  const reservation = await lockReservation(trx, event.orderId)
  if (event.reason !== ADJUSTED_REFUND) {
    if (!reservation || reservation.status === 'RELEASED') return []
    const message = `a released refund for order ${event.orderId}, whose reservation stock-service holds as ${reservation.status}: it released nothing`
    if (reservation.status === 'SHIPPED') throw new RefusedEvent('refund-of-unreleased-reservation', message)
    assertCurrency('PaymentRefunded.amount', reservation.total.currency, event.amount)
    await addPaid(trx, event.orderId, -event.amount.amount)
    if (reservation.scheduled) await scheduleShipment(trx, event.orderId, null)
    throw new RefusedEvent('refund-of-unreleased-reservation', `${message}; its shipment is held`, { containment: 'commit' })
  }
  // An adjusted refund follows an accepted ReservationAdjusted, so a reservation exists; without one there is nothing to count.
  if (!reservation) return []
  assertCurrency('PaymentRefunded.amount', reservation.total.currency, event.amount)
  await addPaid(trx, event.orderId, -event.amount.amount)
  return []
}
