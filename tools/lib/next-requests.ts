// The requests the API accepts for an order in its current state, by the services' own rules: what a saga trace says may come next.
import { cancelDecision, isTerminal, modificationRefusal, type OrderStatus } from '@choreo/order-service'
import type { Reservation, Shipment } from '@choreo/stock-service'

/** What the services hold about an order that decides which requests they accept. */
export interface OrderState {
  orderId: string
  status: OrderStatus
  modificationPending: boolean
  reservation: Reservation | null
  shipments: readonly Shipment[]
}

/**
 * The requests the API accepts for an order in its current state, by the services' own rules
 * (order-service's status rules, stock's "only what payments cover"), each with who may send it.
 */
export function acceptedRequests(o: OrderState): string[] {
  if (isTerminal(o.status)) return []
  const accepted: string[] = []
  for (const s of o.shipments) {
    if (s.status === 'SHIPPED') accepted.push(`POST stock-service /shipments/${s.shipmentId}/deliver (admin, for the carrier) → DELIVERED`)
  }
  const r = o.reservation
  if (r?.status === 'RESERVED' && r.paid >= r.total.amount) {
    accepted.push(`POST stock-service /shipments {"orderId":"${o.orderId}"} (admin) → ships it now${r.scheduled ? ', ahead of the fulfilment delay' : ''}`)
  }
  if (cancelDecision(o.status) === 'accept') accepted.push(`POST order-service /orders/${o.orderId}/cancel (its customer, with an Idempotency-Key) → CANCELLED unless it ships first`)
  if (modificationRefusal(o.status, o.modificationPending) === null) accepted.push(`PATCH order-service /orders/${o.orderId} (its customer) → new lines, if stock has them`)
  return accepted
}
