// stock-service's step for PaymentCompleted: counts what is paid and ships the order once payments cover its total.
import type { Knex } from 'knex'
import { assertCurrency, type Events } from '@choreo/contracts'
import type { Fulfilment } from '../domain/fulfilment.ts'
import { addPaid, lockReservation } from '../repositories/reservations.ts'
import { unreservedRefusal } from './release-stock.ts'
import { giveBackHeld, paysPendingRaise } from './pending-raise.ts'
import { shipIfPaidInFull } from './ship-order.ts'

/** PaymentCompleted: count the payment; once payments cover the total, ship (now or after the fulfilment delay) → OrderShipped. */
export function recordPayment(fulfilment: Fulfilment) {
  return async function recordPayment(event: Events['PaymentCompleted'], trx: Knex.Transaction) {
    let reservation = await lockReservation(trx, event.orderId)
    // Never reserved: payment charges nothing before StockReserved, so this is forged or a bug.
    if (!reservation) throw unreservedRefusal('PaymentCompleted', event.orderId)
    // Released: nothing to ship, and payment refunds on StockReleased.
    if (reservation.status === 'RELEASED') return []
    assertCurrency('PaymentCompleted.amount', reservation.total.currency, event.amount)
    await addPaid(trx, event.orderId, event.amount.amount)
    // Shipped already: counted all the same, as an adjusted refund arriving after the shipment is,
    // so that what is paid stays the order's net charge. A modification's charge can arrive after
    // the shipment that an earlier payment covered (P1, then the refund and recharge of a lowered
    // and raised total still in flight): the long chaos run of 2026-12-03 found one.
    if (reservation.status === 'SHIPPED') return []
    const paid = reservation.paid + event.amount.amount
    // The raise's own charge: the units it dropped go back to the shelf (until then nothing ships).
    if (paysPendingRaise(reservation, event.amount.amount, paid)) reservation = await giveBackHeld(trx, reservation)
    return shipIfPaidInFull(trx, { ...reservation, paid }, fulfilment, event)
  }
}
