// order-service's page of the saga, which its consumer, the tools and the explorer read: each event's step, what it emits, what undoes it.
import { defineSaga, step } from '@choreo/messaging'
import { applyAdjustment } from './steps/apply-adjustment.ts'
import { completeDelivery } from './steps/complete-delivery.ts'
import { finishCancellation } from './steps/finish-cancellation.ts'
import { noteRelease } from './steps/note-release.ts'
import { priceOrder } from './steps/price-order.ts'
import { recordPayment } from './steps/record-payment.ts'
import { recordShipment } from './steps/record-shipment.ts'
import { rejectOrder } from './steps/reject-order.ts'
import { startCancelling } from './steps/start-cancelling.ts'

// order-service's page of the saga (docs/design.md): which event triggers which step, what it may
// emit (the compiler holds each handler to it) and what undoes it. HTTP starts the saga: POST
// /orders emits OrderPlaced, PATCH emits OrderModificationRequested, cancel emits
// OrderCancellationRequested. Every step locks the order, moves its status by the event's rule in
// domain/status.ts (`statusAfter`: only forward) and appends to its history.
export const saga = defineSaga('order', {
  StockReserved: step(priceOrder, {
    undoneBy: ['PaymentRefunded'],
    does: 'the lines get stock\'s prices and the order its total; ≥ STOCK_RESERVED. Refused for a rejected order or another customer',
  }),
  StockReservationFailed: step(rejectOrder, {
    emits: ['OrderRejected', 'OrderCancelled'],
    does: 'rejects the order (or, if a cancel was in progress, it is cancelled); nothing to undo',
  }),
  ReservationAdjusted: step(applyAdjustment, {
    does: 'the new lines and total, or why not ("payment declined": the lines before it, back); payment settles the difference',
  }),
  PaymentCompleted: step(recordPayment, {
    undoneBy: ['PaymentRefunded'],
    does: '≥ PAID',
  }),
  PaymentFailed: step(startCancelling, {
    does: '→ CANCELLING (of a modification: history only); stock releases, or undoes the modification, on PaymentFailed itself',
  }),
  StockReleased: step(noteRelease, {
    does: 'history only; payment\'s refund completes the compensation',
  }),
  PaymentRefunded: step(finishCancellation, {
    emits: ['OrderCancelled'],
    does: 'compensation complete: a released refund moves CANCELLING → CANCELLED and announces it; an adjusted one is history only',
  }),
  OrderShipped: step(recordShipment, {
    does: '→ SHIPPED with carrier and tracking (refuses a cancel in progress)',
  }),
  ShipmentDelivered: step(completeDelivery, {
    emits: ['OrderDelivered'],
    does: '→ DELIVERED and announces it; final',
  }),
})
