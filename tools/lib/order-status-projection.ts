// An order's status folded from its events alone, by order-service's own rules (`statusAfter`).
import type { ReceivedEvent } from '@choreo/contracts'
import { statusAfterEvent, type OrderStatus } from '@choreo/order-service'

/**
 * The status an event moves an order to, by the rules order-service's saga steps move it by
 * (domain/status.ts, `statusAfter`), so a rebuilt read model and the live one can only differ if
 * an event is missing. Events of one order on different topics may be folded in any order, as the
 * live service receives them: the rules only move forward, and order-service's final events
 * (OrderRejected, OrderCancelled, OrderDelivered) have the last word.
 */
export function projectStatus(current: OrderStatus | undefined, event: ReceivedEvent): OrderStatus {
  // Any event about an order means it was placed, even if OrderPlaced is read later.
  return statusAfterEvent(event.type, current ?? 'PENDING', event.payload as never)
}
