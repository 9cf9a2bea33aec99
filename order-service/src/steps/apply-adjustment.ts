// order-service's step for ReservationAdjusted: the order takes stock's answer to its modification, or its lines back on "payment declined".
import { amountIn, MODIFICATION_PAYMENT_DECLINED } from '@choreo/contracts'
import { RefusedEvent } from '@choreo/messaging'
import { pricedLines } from '../domain/priced-lines.ts'
import { shortageReason } from '../domain/reason.ts'
import { isTerminal } from '../domain/status.ts'
import { replaceLines } from '../repositories/order-lines.ts'
import { wasRequested } from '../repositories/order-modifications.ts'
import { orderStep } from './order-step.ts'
import { CANCELLATION_REFUSED } from './record-shipment.ts'

/**
 * ReservationAdjusted: stock's answer to the pending modification. Accepted: the order's lines
 * and total become what stock now holds, whatever the status, since payment settles against them.
 * Refused: the lines stay and the order says why, unless a cancellation or final reason is
 * already there to keep (a shipment that refused a cancel is answered here too: stock refuses
 * the modification it had not seen before shipping). An answer to a modification that is not the
 * pending one is history only.
 *
 * Stock undoes a modification it had accepted when payment declines its raise: a refusal with
 * reason "payment declined", carrying the lines and total before it, which the order takes back,
 * if the modification is one this service asked for (refused otherwise).
 */
export const applyAdjustment = orderStep('ReservationAdjusted', async function applyAdjustment(event, order, trx) {
  if (!event.accepted && event.reason === MODIFICATION_PAYMENT_DECLINED) {
    // It rewrites the order's lines: only for a modification this service asked for, of this order.
    if (!(await wasRequested(trx, order.orderId, event.modificationId))) {
      throw new RefusedEvent('undo-of-unrequested-modification', `ReservationAdjusted undoes modification ${event.modificationId}, which order-service never asked for order ${order.orderId}`)
    }
    await replaceLines(trx, order.orderId, pricedLines(order.currency, event.lines))
    const reason = `modification refused: ${MODIFICATION_PAYMENT_DECLINED}, the order stands as it was`
    const keepsReason = order.status === 'CANCELLING' || isTerminal(order.status) || order.reason === CANCELLATION_REFUSED
    const pending = event.modificationId === order.pendingModificationId ? { pendingModificationId: null } : {}
    return { changes: { ...pending, totalAmount: amountIn(order.currency, event.total), ...(keepsReason ? {} : { reason }) }, reason }
  }
  if (event.modificationId !== order.pendingModificationId) return { reason: event.reason }
  if (event.accepted) {
    await replaceLines(trx, order.orderId, pricedLines(order.currency, event.lines))
    return { changes: { pendingModificationId: null, totalAmount: amountIn(order.currency, event.total) }, reason: null }
  }
  const reason = `modification refused: ${event.reason === null ? 'no reason given' : shortageReason(event.reason, event.shortLines)}`
  const keepsReason = order.status === 'CANCELLING' || isTerminal(order.status) || order.reason === CANCELLATION_REFUSED
  return { changes: { pendingModificationId: null, ...(keepsReason ? {} : { reason }) }, reason }
})
