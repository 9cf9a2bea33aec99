import type { Saga } from '@choreo/messaging'
import { adjustReservation } from './steps/adjust-reservation.ts'
import { recordPayment } from './steps/record-payment.ts'
import { recordRefund } from './steps/record-refund.ts'
import { releaseOnCancellation, releaseOnPaymentFailure } from './steps/release-stock.ts'
import { reserveStock } from './steps/reserve-stock.ts'

// stock-service's page of the saga (docs/design.md): which event triggers which step, what it emits.
export const saga = {
  OrderPlaced: reserveStock,                         // StockReserved | StockReservationFailed; undone by releasing on cancel or failed payment
  OrderModificationRequested: adjustReservation,     // ReservationAdjusted (accepted or not) [+ OrderShipped if already paid]; a failed extra charge releases
  OrderCancellationRequested: releaseOnCancellation, // compensation: StockReleased unless shipped (then nothing: shipping won the race)
  PaymentFailed: releaseOnPaymentFailure,            // compensation: StockReleased unless shipped; payment then refunds everything
  PaymentCompleted: recordPayment,                   // OrderShipped once paid ≥ total; final, nothing undoes a shipment
  PaymentRefunded: recordRefund,                     // nothing; an 'adjusted' refund lowers what is paid
} satisfies Saga
