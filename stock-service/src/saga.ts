// stock-service's page of the saga, built for a fulfilment policy (when a paid order ships): each event's step, what it emits, what undoes it.
import { defineSaga, step } from '@choreo/messaging'
import type { Fulfilment } from './domain/fulfilment.ts'
import { adjustReservation } from './steps/adjust-reservation.ts'
import { recordPayment } from './steps/record-payment.ts'
import { recordRefund } from './steps/record-refund.ts'
import { onPaymentFailure, releaseOnCancellation } from './steps/release-stock.ts'
import { reserveStock } from './steps/reserve-stock.ts'

// stock-service's page of the saga (docs/design.md): which event triggers which step, what it may
// emit (the compiler holds each handler to it) and what undoes it. `fulfilment` is when a paid
// order ships: at once, or FULFILMENT_DELAY_MS later, when the fulfilment poller (or an admin's
// POST /shipments) ships it in a transaction of its own.
export function saga(fulfilment: Fulfilment) {
  return defineSaga('stock', {
    OrderPlaced: step(reserveStock, {
      emits: ['StockReserved', 'StockReservationFailed'],
      undoneBy: ['OrderCancellationRequested', 'PaymentFailed'],
      does: 'reserves every line at today\'s price, or nothing',
    }),
    OrderModificationRequested: step(adjustReservation(fulfilment), {
      emits: ['ReservationAdjusted', 'OrderShipped'],
      undoneBy: ['PaymentFailed'],
      does: 'reserves the new lines in place of the old, all or nothing (ships if now paid in full and no fulfilment delay); a raise holds what it drops until paid',
    }),
    OrderCancellationRequested: step(releaseOnCancellation, {
      emits: ['StockReleased'],
      does: 'compensation: gives the units back unless shipped (then nothing: shipping won the race)',
    }),
    PaymentFailed: step(onPaymentFailure(fulfilment), {
      emits: ['StockReleased', 'ReservationAdjusted', 'OrderShipped'],
      does: 'compensation: releases unless shipped, and payment then refunds everything; of a modification, gives the reservation its lines before it back (and ships if paid for them). Refused for an order never reserved',
    }),
    PaymentCompleted: step(recordPayment(fulfilment), {
      emits: ['OrderShipped'],
      does: 'counts the payment; ships once paid ≥ total, or FULFILMENT_DELAY_MS later from the fulfilment poller. Final: nothing undoes a shipment. Refused for an order never reserved',
    }),
    PaymentRefunded: step(recordRefund, {
      does: 'an adjusted refund lowers what is paid; a released one of a reservation never released holds its shipment, refused',
    }),
  })
}
