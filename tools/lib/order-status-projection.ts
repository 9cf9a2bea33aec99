import type { ReceivedEvent } from '@choreo/contracts'
import {
  advance, afterCompensated, afterPaymentFailed, afterReservationFailed, afterShipped, cancelDecision, type OrderStatus,
} from '@choreo/order-service'

// PaymentRefunded's reason when it settles a release (its schema): the last compensation.
const RELEASED = 'released'

/**
 * An order's status folded from its events alone, with order-service's own status rules
 * (domain/status.ts), so a rebuilt read model and the live one can only differ if an event is
 * missing or a rule is not what the events say. Events of one order on different topics may be
 * folded in any order, as the live service receives them: the rules only move forward, and
 * order-service's final events (OrderRejected, OrderCancelled, OrderDelivered) have the last word.
 */
export function projectStatus(current: OrderStatus | undefined, event: ReceivedEvent): OrderStatus {
  // Any event about an order means it was placed, even if OrderPlaced is read later.
  const status = current ?? 'PENDING'
  switch (event.type) {
    case 'OrderPlaced':
    case 'OrderModificationRequested':
    case 'ReservationAdjusted':
    case 'StockReleased':
      return status
    case 'OrderCancellationRequested':
      return cancelDecision(status) === 'accept' ? 'CANCELLING' : status
    case 'OrderRejected':
      return 'REJECTED'
    case 'OrderCancelled':
      return 'CANCELLED'
    case 'OrderDelivered':
      return 'DELIVERED'
    case 'StockReserved':
      return advance(status, 'STOCK_RESERVED')
    case 'StockReservationFailed':
      return afterReservationFailed(status)
    case 'OrderShipped':
      return afterShipped(status).status
    case 'ShipmentDelivered':
      return advance(status, 'DELIVERED')
    case 'PaymentCompleted':
      return advance(status, 'PAID')
    case 'PaymentFailed':
      // Of a modification: only that modification is refused, the order stands.
      return event.payload.modificationId ? status : afterPaymentFailed(status)
    case 'PaymentRefunded':
      return event.payload.reason === RELEASED ? afterCompensated(status) : status
  }
}
