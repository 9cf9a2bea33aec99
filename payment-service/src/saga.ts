import type { Saga } from '@choreo/messaging'
import { chargeOrder } from './steps/charge-order.ts'
import { recordShipment } from './steps/record-shipment.ts'
import { refundOrder } from './steps/refund-order.ts'
import { settleAdjustment } from './steps/settle-adjustment.ts'

// payment-service's page of the saga: which event triggers which step, what it emits.
// All four arrive on stock.events keyed by order, so one order's steps run in this order.
export const saga = {
  StockReserved: chargeOrder,            // emits PaymentCompleted | PaymentFailed; compensated by refundOrder on StockReleased
  ReservationAdjusted: settleAdjustment, // emits PaymentCompleted | PaymentFailed (the order is then cancelled) | PaymentRefunded(adjusted); compensated by refundOrder
  StockReleased: refundOrder,            // compensation: emits exactly one PaymentRefunded(released) refunding the net charged, the order's last payment event; refused once shipped
  OrderShipped: recordShipment,          // emits nothing: remembers the shipment, after which no release refunds
} satisfies Saga
