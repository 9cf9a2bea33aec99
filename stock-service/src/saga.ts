import type { Saga } from '@choreo/messaging'
import type { Fulfilment } from './domain/fulfilment.ts'
import { adjustReservation } from './steps/adjust-reservation.ts'
import { recordPayment } from './steps/record-payment.ts'
import { recordRefund } from './steps/record-refund.ts'
import { onPaymentFailure, releaseOnCancellation } from './steps/release-stock.ts'
import { reserveStock } from './steps/reserve-stock.ts'

// stock-service's page of the saga (docs/design.md): which event triggers which step, what it emits.
// `fulfilment` is when a paid order ships: at once, or FULFILMENT_DELAY_MS later, when the
// fulfilment poller (or an admin's POST /shipments) ships it in a transaction of its own.
export function saga(fulfilment: Fulfilment) {
  return {
    OrderPlaced: reserveStock,                                 // StockReserved | StockReservationFailed; undone by releasing on cancel or failed payment
    OrderModificationRequested: adjustReservation(fulfilment), // ReservationAdjusted (accepted or not) [+ OrderShipped if now paid in full and no fulfilment delay]; a raise holds what it drops until paid, undone on PaymentFailed of it
    OrderCancellationRequested: releaseOnCancellation,         // compensation: StockReleased unless shipped (then nothing: shipping won the race)
    PaymentFailed: onPaymentFailure(fulfilment),               // compensation: StockReleased unless shipped, payment then refunds everything; of a modification: ReservationAdjusted back to the lines before it [+ OrderShipped]. Refused for an order never reserved
    PaymentCompleted: recordPayment(fulfilment),               // OrderShipped once paid ≥ total, or FULFILMENT_DELAY_MS later from the fulfilment poller; final, nothing undoes a shipment. Refused for an order never reserved
    PaymentRefunded: recordRefund,                             // nothing; an 'adjusted' refund lowers what is paid. A 'released' one of a reservation never released holds its shipment, refused
  } satisfies Saga
}
