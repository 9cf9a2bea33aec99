// order-service's public entry (`@choreo/order-service`): what tools, bench, e2e and scripts may use of it; the rest is internal.

// Its page of the saga.
export { saga } from './saga.ts'

// The order's status rules, which the tools' read models and reports fold events with.
export { ORDER_STATUSES, isTerminal, cancelDecision, modificationRefusal, statusAfterEvent, type OrderStatus } from './domain/status.ts'

// An order as its database and its GET /orders/:id show it, for `choreo saga`.
export { findOrder } from './repositories/orders.ts'
export { historyOf, type HistoryEntry } from './repositories/order-history.ts'
export { orderDetail } from './routes/orders/view.ts'
export type { OrderDetail } from './routes/orders/schemas.ts'
// Writes of an order's rows without its events: tools' tests forge a lost order with them.
export { insertOrder, updateOrder } from './repositories/orders.ts'
export { appendHistory } from './repositories/order-history.ts'

// The reason an order records when a cancellation arrives after its shipment.
export { CANCELLATION_REFUSED } from './steps/record-shipment.ts'
