import type { Knex } from 'knex'
import { newEvent, type EventData, type Events, type NewEvent } from '@choreo/contracts'
import type { Handler } from '@choreo/messaging'
import type { Fulfilment } from '../domain/fulfilment.ts'
import { planAdjustment } from '../domain/adjustment.ts'
import { totalOf } from '../domain/lines.ts'
import { lockProducts, reserveUnits, unreserveUnits } from '../repositories/products.ts'
import { lockReservation, replaceLines } from '../repositories/reservations.ts'
import { shipIfPaidInFull } from './ship-order.ts'

export const refusals = {
  alreadyShipped: 'already shipped',
  noActiveReservation: 'no active reservation',
} as const

/** ReservationAdjusted needs a currency even when this service never learnt the order's. */
export const UNKNOWN_ORDER_CURRENCY = 'EUR'

/**
 * OrderModificationRequested: reserve the new lines in place of the old, all or nothing →
 * ReservationAdjusted (accepted or not), plus OrderShipped when payments already cover the new
 * total (a lowered total ships, at once or after the fulfilment delay, while payment refunds the
 * difference; a raised one waits for the extra charge).
 */
export function adjustReservation(fulfilment: Fulfilment): Handler<'OrderModificationRequested'> {
  return async (event, trx) => adjust(event, trx, fulfilment)
}

async function adjust(event: Events['OrderModificationRequested'], trx: Knex.Transaction, fulfilment: Fulfilment): Promise<NewEvent[]> {
  const { orderId, modificationId } = event
  const answer = (data: Omit<EventData<'ReservationAdjusted'>, 'orderId' | 'modificationId'>) =>
    newEvent('ReservationAdjusted', { orderId, modificationId, ...data })
  const refused = { accepted: false, shortLines: [] }
  const reservation = await lockReservation(trx, orderId)
  if (!reservation) return [answer({ ...refused, reason: refusals.noActiveReservation, lines: [], total: { amount: 0, currency: UNKNOWN_ORDER_CURRENCY } })]
  const { lines: current, total: currentTotal } = reservation
  if (reservation.status === 'SHIPPED') return [answer({ ...refused, reason: refusals.alreadyShipped, lines: current, total: currentTotal })]
  if (reservation.status === 'RELEASED') return [answer({ ...refused, reason: refusals.noActiveReservation, lines: [], total: { amount: 0, currency: currentTotal.currency } })]

  const stock = await lockProducts(trx, [...current, ...event.items].map((line) => line.productId))
  const plan = planAdjustment(current, event.items, stock, currentTotal.currency)
  if (!plan.ok) return [answer({ ...refused, reason: plan.reason, shortLines: plan.shortLines, lines: current, total: currentTotal })]
  for (const { productId, delta } of plan.moves) {
    if (delta > 0) await reserveUnits(trx, productId, delta)
    else await unreserveUnits(trx, productId, -delta)
  }
  const total = totalOf(plan.lines, currentTotal.currency)
  await replaceLines(trx, orderId, plan.lines, total)
  const adjusted = answer({ accepted: true, lines: plan.lines, total, reason: null, shortLines: [] })
  return [adjusted, ...(await shipIfPaidInFull(trx, { ...reservation, lines: plan.lines, total }, fulfilment, event))]
}
