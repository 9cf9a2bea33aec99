import type { Saga } from '@choreo/messaging'
import { chargeOrder } from './steps/charge-order.ts'
import { closeUnreserved } from './steps/close-unreserved.ts'
import { recordModification } from './steps/record-modification.ts'
import { recordPlacedOrder } from './steps/record-placed-order.ts'
import { recordShipment } from './steps/record-shipment.ts'
import { refundOrder } from './steps/refund-order.ts'
import { settleAdjustment } from './steps/settle-adjustment.ts'

// payment-service's page of the saga: which event triggers which step, what it emits.
// All five arrive on stock.events keyed by order, so one order's steps run in this order.
export const saga = {
  StockReserved: chargeOrder,            // emits PaymentCompleted | PaymentFailed, for an order seen placed (refused otherwise); compensated by refundOrder on StockReleased
  StockReservationFailed: closeUnreserved, // emits nothing: closes the order uncharged; after a charge, refused (one of stock's two answers is forged)
  ReservationAdjusted: settleAdjustment, // emits PaymentCompleted | PaymentFailed (of the modification, which stock undoes) | PaymentRefunded(adjusted); compensated by refundOrder
  StockReleased: refundOrder,            // compensation: emits exactly one PaymentRefunded(released) refunding the net charged, the order's last payment event; refused once shipped
  OrderShipped: recordShipment,          // emits nothing: remembers the shipment, after which no release refunds
} satisfies Saga

// What payment-service must know before money moves, read from order.events by a consumer of its
// own (group payment-service.facts) so that a step waiting for a fact never holds up the fact.
// The steps above refuse what these records do not vouch for, once that consumer has caught up.
export const facts = {
  OrderPlaced: recordPlacedOrder,                // emits nothing: who pays for which lines (charge-order.ts checks them)
  OrderModificationRequested: recordModification, // emits nothing: the lines a modification asked for (settle-adjustment.ts checks them)
} satisfies Saga
