import type { Saga } from '@choreo/messaging'
import { applyAdjustment } from './steps/apply-adjustment.ts'
import { completeDelivery } from './steps/complete-delivery.ts'
import { finishCancellation } from './steps/finish-cancellation.ts'
import { noteRelease } from './steps/note-release.ts'
import { priceOrder } from './steps/price-order.ts'
import { recordPayment } from './steps/record-payment.ts'
import { recordShipment } from './steps/record-shipment.ts'
import { rejectOrder } from './steps/reject-order.ts'
import { startCancelling } from './steps/start-cancelling.ts'

// order-service's page of the saga (docs/design.md). HTTP starts it: POST /orders emits
// OrderPlaced, PATCH emits OrderModificationRequested, cancel emits OrderCancellationRequested.
// Every step locks the order, moves its status only forward and appends to its history.
export const saga = {
  StockReserved: priceOrder,               // prices and total; ≥ STOCK_RESERVED. Emits nothing; undone by StockReleased → PaymentRefunded
  StockReservationFailed: rejectOrder,     // emits OrderRejected (or OrderCancelled if a cancel was in progress); nothing to undo
  ReservationAdjusted: applyAdjustment,    // new lines and total, or why not ("payment declined": the lines before it, back). Emits nothing; payment settles the difference
  PaymentCompleted: recordPayment,         // ≥ PAID. Emits nothing; undone by PaymentRefunded(released) after a cancel
  PaymentFailed: startCancelling,          // → CANCELLING (of a modification: history only). Emits nothing: stock releases, or undoes the modification, on PaymentFailed itself
  StockReleased: noteRelease,              // history only; payment's refund completes the compensation
  PaymentRefunded: finishCancellation,     // released: CANCELLING → CANCELLED, emits OrderCancelled; adjusted: history only
  OrderShipped: recordShipment,            // → SHIPPED with carrier and tracking (refuses a cancel in progress); emits nothing
  ShipmentDelivered: completeDelivery,     // → DELIVERED, emits OrderDelivered; final
} satisfies Saga
