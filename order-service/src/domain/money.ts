import type { Money, PricedLine } from '@choreo/contracts'

/** stock-service priced an order in another currency than it was placed in: a bug upstream, never to be stored. */
export class CurrencyMismatch extends Error {
  constructor(expected: string, got: string) {
    super(`amount in ${got}, but the order is in ${expected}`)
    this.name = 'CurrencyMismatch'
  }
}

/** The amount in minor units, checked to be in the order's currency (the row stores amounts only). */
export function amountIn(currency: string, money: Money): number {
  if (money.currency !== currency) throw new CurrencyMismatch(currency, money.currency)
  return money.amount
}

export interface PricedLineRecord {
  productId: string
  quantity: number
  unitPriceAmount: number
}

export function pricedLines(currency: string, lines: readonly PricedLine[]): PricedLineRecord[] {
  return lines.map((l) => ({ productId: l.productId, quantity: l.quantity, unitPriceAmount: amountIn(currency, l.unitPrice) }))
}
