// payment-service's page of the saga (its steps on stock.events) and the facts from order.events that those steps check against.
import { defineSaga, step } from '@choreo/messaging'
import { chargeOrder } from './steps/charge-order.ts'
import { closeUnreserved } from './steps/close-unreserved.ts'
import { recordModification } from './steps/record-modification.ts'
import { recordPlacedOrder } from './steps/record-placed-order.ts'
import { recordShipment } from './steps/record-shipment.ts'
import { refundOrder } from './steps/refund-order.ts'
import { settleAdjustment } from './steps/settle-adjustment.ts'

// payment-service's page of the saga: which event triggers which step, what it may emit (the
// compiler holds each handler to it) and what undoes it. All five arrive on stock.events keyed by
// order, so one order's steps run in this order.
export const saga = defineSaga('payment', {
  StockReserved: step(chargeOrder, {
    emits: ['PaymentCompleted', 'PaymentFailed'],
    undoneBy: ['StockReleased'],
    does: 'charges the order, seen placed with these lines for this customer (refused otherwise)',
  }),
  StockReservationFailed: step(closeUnreserved, {
    does: 'closes the order uncharged; after a charge, refused (one of stock\'s two answers is forged)',
  }),
  ReservationAdjusted: step(settleAdjustment, {
    emits: ['PaymentCompleted', 'PaymentFailed', 'PaymentRefunded'],
    undoneBy: ['StockReleased'],
    does: 'settles an accepted modification: charges the raise (PaymentFailed of the modification, which stock undoes) or refunds the cut (PaymentRefunded adjusted)',
  }),
  StockReleased: step(refundOrder, {
    emits: ['PaymentRefunded'],
    does: 'compensation: exactly one PaymentRefunded(released) refunding the net charged, the order\'s last payment event; refused once shipped',
  }),
  OrderShipped: step(recordShipment, {
    does: 'remembers the shipment, after which no release refunds',
  }),
})

// What payment-service must know before money moves, read from order.events by a consumer of its
// own (group payment-service.facts) so that a step waiting for a fact never holds up the fact.
// The steps above refuse what these records do not vouch for, once that consumer has caught up.
export const facts = defineSaga('payment', {
  OrderPlaced: step(recordPlacedOrder, { does: 'remembers whom the order charges and for which lines (chargeOrder checks them)' }),
  OrderModificationRequested: step(recordModification, { does: 'remembers the lines a modification asked for (settleAdjustment checks them)' }),
})
