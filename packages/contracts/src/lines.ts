// The events' order lines: merged per product, in product order, and totalled.
import type { Money, OrderLine, PricedLine } from './events.generated.ts'

/** One line per product, quantities of repeated products summed, in product order. */
export function mergeItems(items: readonly OrderLine[]): OrderLine[] {
  const quantities = new Map<string, number>()
  for (const { productId, quantity } of items) quantities.set(productId, (quantities.get(productId) ?? 0) + quantity)
  return [...quantities].map(([productId, quantity]) => ({ productId, quantity })).sort(byProductId)
}

/** Sum of quantity × unit price, in the given currency. */
export function totalOf(lines: readonly PricedLine[], currency: string): Money {
  return { amount: lines.reduce((sum, line) => sum + line.quantity * line.unitPrice.amount, 0), currency }
}

/** Sorts lines by product id, the order every service keeps lines in. */
export function byProductId(a: { productId: string }, b: { productId: string }): number {
  return a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0
}
