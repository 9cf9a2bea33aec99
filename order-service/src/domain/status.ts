// Every rule about how an order's status may change, in one place (docs/design.md, "Status only
// moves forward"). Pure: the saga steps and the routes ask, they do not decide.
import type { Events, EventType } from '@choreo/contracts'

export const ORDER_STATUSES = ['PENDING', 'STOCK_RESERVED', 'PAID', 'SHIPPED', 'DELIVERED', 'REJECTED', 'CANCELLING', 'CANCELLED'] as const
export type OrderStatus = (typeof ORDER_STATUSES)[number]

/** The happy path, in order: an order only ever moves to the right along it. */
const FORWARD = ['PENDING', 'STOCK_RESERVED', 'PAID', 'SHIPPED', 'DELIVERED'] as const
export type ForwardStatus = (typeof FORWARD)[number]

const TERMINAL: ReadonlySet<OrderStatus> = new Set(['DELIVERED', 'REJECTED', 'CANCELLED'])
/** Statuses in which a customer's cancellation is accepted (and PaymentFailed starts compensating). */
const CANCELLABLE: ReadonlySet<OrderStatus> = new Set(['PENDING', 'STOCK_RESERVED', 'PAID'])
/**
 * Statuses in which the lines may still change: nothing has shipped. Once paid, payment settles
 * the difference (charges more or refunds) and stock ships only what payments cover.
 */
const MODIFIABLE: ReadonlySet<OrderStatus> = new Set(['PENDING', 'STOCK_RESERVED', 'PAID'])

export function isTerminal(status: OrderStatus): boolean {
  return TERMINAL.has(status)
}

function rank(status: OrderStatus): number {
  return (FORWARD as readonly OrderStatus[]).indexOf(status)
}

/**
 * A progress event says the order has reached `reached`: move there unless the order is already
 * further on (a late event never moves it back), being cancelled, or final.
 */
export function advance(current: OrderStatus, reached: ForwardStatus): OrderStatus {
  if (isTerminal(current) || current === 'CANCELLING') return current
  return rank(reached) > rank(current) ? reached : current
}

/** OrderShipped: the goods have left, so it wins over a cancellation still in progress. */
export function afterShipped(current: OrderStatus): { status: OrderStatus; cancellationRefused: boolean } {
  if (current === 'CANCELLING') return { status: 'SHIPPED', cancellationRefused: true }
  return { status: advance(current, 'SHIPPED'), cancellationRefused: false }
}

/** StockReservationFailed: a placed order is rejected; one being cancelled needs no more compensation. */
export function afterReservationFailed(current: OrderStatus): OrderStatus {
  if (current === 'PENDING') return 'REJECTED'
  if (current === 'CANCELLING') return 'CANCELLED'
  return current
}

/** PaymentFailed: an order not yet shipped starts compensating; shipped, cancelling or final ones stay. */
export function afterPaymentFailed(current: OrderStatus): OrderStatus {
  return CANCELLABLE.has(current) ? 'CANCELLING' : current
}

/** PaymentRefunded(released) is the last compensation (design: "payment is the last word"). */
export function afterCompensated(current: OrderStatus): OrderStatus {
  return current === 'CANCELLING' ? 'CANCELLED' : current
}

export type CancelDecision = 'accept' | 'in-progress' | 'already-shipped' | 'already-terminal'

/** What a customer's cancel request does in each status. */
export function cancelDecision(current: OrderStatus): CancelDecision {
  if (CANCELLABLE.has(current)) return 'accept'
  if (current === 'CANCELLING') return 'in-progress'
  if (current === 'SHIPPED' || current === 'DELIVERED') return 'already-shipped'
  return 'already-terminal'
}

export type ModificationRefusal = 'already-shipped' | 'not-modifiable' | 'modification-pending'

/** Why a customer's modification is refused, or null when it is accepted. */
export function modificationRefusal(current: OrderStatus, modificationPending: boolean): ModificationRefusal | null {
  if (current === 'CANCELLING' || current === 'REJECTED' || current === 'CANCELLED') return 'not-modifiable'
  if (!MODIFIABLE.has(current)) return 'already-shipped'
  return modificationPending ? 'modification-pending' : null
}

// PaymentRefunded's reason when it settles a release (its schema): the last compensation.
const RELEASED = 'released'

/**
 * What each event means for an order's status, by event type: order-service's saga steps move the
 * order by it (steps/order-step.ts), and a read model rebuilt from the topics folds the same rules
 * (tools' status projection), so the two can only differ if an event is missing. Events absent
 * here leave the status as it is. Order-service's own final events have the last word.
 */
const statusAfter: { readonly [T in EventType]?: (current: OrderStatus, event: Events[T]) => OrderStatus } = {
  OrderCancellationRequested: (current) => (cancelDecision(current) === 'accept' ? 'CANCELLING' : current),
  OrderRejected: () => 'REJECTED',
  OrderCancelled: () => 'CANCELLED',
  OrderDelivered: () => 'DELIVERED',
  StockReserved: (current) => advance(current, 'STOCK_RESERVED'),
  StockReservationFailed: afterReservationFailed,
  OrderShipped: (current) => afterShipped(current).status,
  ShipmentDelivered: (current) => advance(current, 'DELIVERED'),
  PaymentCompleted: (current) => advance(current, 'PAID'),
  // Of a modification: only that modification is refused, the order stands.
  PaymentFailed: (current, event) => (event.modificationId ? current : afterPaymentFailed(current)),
  PaymentRefunded: (current, event) => (event.reason === RELEASED ? afterCompensated(current) : current),
}

/** The status an event moves an order to, by `statusAfter`. */
export function statusAfterEvent<T extends EventType>(type: T, current: OrderStatus, event: Events[T]): OrderStatus {
  const rule = statusAfter[type] as ((current: OrderStatus, event: Events[T]) => OrderStatus) | undefined
  return rule ? rule(current, event) : current
}
