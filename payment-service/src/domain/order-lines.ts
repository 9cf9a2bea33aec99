// An order's lines as payment-service compares them: a key for equal orders, and why a priced answer is not the order.
import { mergeItems, totalOf, type Money, type OrderLine, type PricedLine } from '@choreo/contracts'

/**
 * An order's lines as payment-service keeps them: one per product, quantities of a repeated
 * product summed, in product order, as JSON. Two lists of lines are the same order when their
 * keys are equal, however each side wrote them.
 */
export function linesKey(lines: readonly OrderLine[]): string {
  return JSON.stringify(mergeItems(lines).map(({ productId, quantity }) => [productId, quantity]))
}

/**
 * Why a priced answer from stock-service (a StockReserved, an accepted ReservationAdjusted) is not
 * the order it answers, or null when it is: the same products in the same quantities, in the
 * order's currency, and a total that is the sum of its lines. The prices are stock's to set.
 */
export function pricedMismatch(priced: { lines: readonly PricedLine[]; total: Money }, asked: { items: string; currency: string }): string | null {
  if (linesKey(priced.lines) !== asked.items) return 'its lines are not the order\'s'
  if (priced.total.currency !== asked.currency || priced.lines.some((l) => l.unitPrice.currency !== asked.currency)) {
    return `its currency is not the order's (${asked.currency})`
  }
  const sum = totalOf(priced.lines, asked.currency).amount
  if (sum !== priced.total.amount) return `its total ${priced.total.amount} is not the sum of its lines (${sum})`
  return null
}
