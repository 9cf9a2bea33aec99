// Every rule about how an order's status may change, in one place (docs/design.md, "Status only
// moves forward"). Pure: the saga steps and the routes ask, they do not decide.

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
