import type { NewEvent } from '@choreo/contracts'
import type { Handler } from '@choreo/messaging'
import type { Fulfilment } from '../domain/fulfilment.ts'
import { assertCurrency } from '../domain/money.ts'
import { addPaid, lockReservation } from '../repositories/reservations.ts'
import { shipIfPaidInFull } from './ship-order.ts'

/** PaymentCompleted: count the payment; once payments cover the total, ship (now or after the fulfilment delay) → OrderShipped. */
export function recordPayment(fulfilment: Fulfilment): Handler<'PaymentCompleted'> {
  return async (event, trx): Promise<NewEvent[]> => {
    const reservation = await lockReservation(trx, event.orderId)
    // Released or never reserved: nothing to ship, and payment refunds on StockReleased.
    // Shipped: payments covered it already, a charge after that would not change anything here.
    if (reservation?.status !== 'RESERVED') return []
    assertCurrency('PaymentCompleted.amount', reservation.total.currency, event.amount)
    await addPaid(trx, event.orderId, event.amount.amount)
    return shipIfPaidInFull(trx, { ...reservation, paid: reservation.paid + event.amount.amount }, fulfilment, event)
  }
}
