// stock-service's step for OrderModificationRequested: reserves an order's new lines in place of the old, all or nothing, or says why not.
import type { Knex } from 'knex'
import { MODIFICATION_AWAITING_PAYMENT, newEvent, totalOf, type EventData, type Events, type OrderLine } from '@choreo/contracts'
import type { Fulfilment } from '../domain/fulfilment.ts'
import { planAdjustment } from '../domain/adjustment.ts'
import { lockProducts, reserveUnits, unreserveUnits } from '../repositories/products.ts'
import { insertPendingRaise } from '../repositories/pending-raises.ts'
import { lockReservation, replaceLines } from '../repositories/reservations.ts'
import { shipIfPaidInFull } from './ship-order.ts'

const refusals = {
  alreadyShipped: 'already shipped',
  noActiveReservation: 'no active reservation',
  awaitingPayment: MODIFICATION_AWAITING_PAYMENT,
} as const

/** ReservationAdjusted needs a currency even when this service never learnt the order's. */
export const UNKNOWN_ORDER_CURRENCY = 'EUR'

/**
 * OrderModificationRequested: reserve the new lines in place of the old, all or nothing →
 * ReservationAdjusted (accepted or not), plus OrderShipped when payments already cover the new
 * total (a lowered total ships, at once or after the fulfilment delay, while payment refunds the
 * difference; a raised one waits for the extra charge). A raise holds the units it drops until
 * payment answers, and is undone if payment declines it (pending-raise.ts); meanwhile a further
 * modification is refused.
 */
export function adjustReservation(fulfilment: Fulfilment) {
  return async function adjustReservation(event: Events['OrderModificationRequested'], trx: Knex.Transaction) {
    return adjust(event, trx, fulfilment)
  }
}

async function adjust(event: Events['OrderModificationRequested'], trx: Knex.Transaction, fulfilment: Fulfilment) {
  const { orderId, modificationId } = event
  const answer = (data: Omit<EventData<'ReservationAdjusted'>, 'orderId' | 'modificationId'>) =>
    newEvent('ReservationAdjusted', { orderId, modificationId, ...data })
  const refused = { accepted: false, shortLines: [] }
  const reservation = await lockReservation(trx, orderId)
  if (!reservation) return [answer({ ...refused, reason: refusals.noActiveReservation, lines: [], total: { amount: 0, currency: UNKNOWN_ORDER_CURRENCY } })]
  const { lines: current, total: currentTotal } = reservation
  if (reservation.status === 'SHIPPED') return [answer({ ...refused, reason: refusals.alreadyShipped, lines: current, total: currentTotal })]
  if (reservation.status === 'RELEASED') return [answer({ ...refused, reason: refusals.noActiveReservation, lines: [], total: { amount: 0, currency: currentTotal.currency } })]
  // One raise at a time: what to go back to if payment declines it must stay one set of lines.
  if (reservation.pendingRaise) return [answer({ ...refused, reason: refusals.awaitingPayment, lines: current, total: currentTotal })]

  const stock = await lockProducts(trx, [...current, ...event.items].map((line) => line.productId))
  const plan = planAdjustment(current, event.items, stock, currentTotal.currency)
  if (!plan.ok) return [answer({ ...refused, reason: plan.reason, shortLines: plan.shortLines, lines: current, total: currentTotal })]
  const total = totalOf(plan.lines, currentTotal.currency)
  // A raise waits for payment's answer (pending-raise.ts): the units it drops stay held meanwhile.
  const raise = total.amount > currentTotal.amount
  const added = plan.moves.filter((m) => m.delta > 0).map(({ productId, delta }) => ({ productId, quantity: delta }))
  const dropped: OrderLine[] = plan.moves.filter((m) => m.delta < 0).map(({ productId, delta }) => ({ productId, quantity: -delta }))
  await reserveUnits(trx, added)
  if (!raise) await unreserveUnits(trx, dropped)
  const held = raise ? dropped : []
  const pendingRaise = raise ? { orderId, modificationId, previousLines: current, previousTotal: currentTotal.amount, held } : null
  if (pendingRaise) await insertPendingRaise(trx, pendingRaise)
  await replaceLines(trx, orderId, plan.lines, total)
  const adjusted = answer({ accepted: true, lines: plan.lines, total, reason: null, shortLines: [] })
  return [adjusted, ...(await shipIfPaidInFull(trx, { ...reservation, lines: plan.lines, total, pendingRaise }, fulfilment, event))]
}
