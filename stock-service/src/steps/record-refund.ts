import type { Handler } from '@choreo/messaging'
import { assertCurrency } from '../domain/money.ts'
import { addPaid, lockReservation } from '../repositories/reservations.ts'

/** The refund of a modification that lowered the total; the other reason, 'released', settles a released order. */
export const ADJUSTED_REFUND = 'adjusted'

/** PaymentRefunded(adjusted): what pays for the reservation shrinks; emits nothing. */
export const recordRefund: Handler<'PaymentRefunded'> = async (event, trx) => {
  if (event.reason !== ADJUSTED_REFUND) return []
  const reservation = await lockReservation(trx, event.orderId)
  // An adjusted refund follows an accepted ReservationAdjusted, so a reservation exists; without one there is nothing to count.
  if (!reservation) return []
  assertCurrency('PaymentRefunded.amount', reservation.total.currency, event.amount)
  await addPaid(trx, event.orderId, -event.amount.amount)
  return []
}
