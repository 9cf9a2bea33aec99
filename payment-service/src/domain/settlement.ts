// Settling an order: what was paid, and what a changed total calls for.
/** What the customer has paid for an order so far: charges less refunds, in minor units. */
export function netCharged(order: { charged: number; refunded: number }): number {
  return order.charged - order.refunded
}

/** What settles an order whose total changed: charge the rise, refund the fall, or nothing. */
export type Adjustment =
  | { kind: 'charge'; amount: number }
  | { kind: 'refund'; amount: number }
  | { kind: 'none' }

export function adjustmentTo(newTotal: number, order: { charged: number; refunded: number }): Adjustment {
  const delta = newTotal - netCharged(order)
  if (delta > 0) return { kind: 'charge', amount: delta }
  if (delta < 0) return { kind: 'refund', amount: -delta }
  return { kind: 'none' }
}
