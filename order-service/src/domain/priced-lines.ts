// An order's lines as stock priced them, turned into the rows order-service stores: amounts only, in the order's currency.
import { amountIn, type PricedLine } from '@choreo/contracts'

export interface PricedLineRecord {
  productId: string
  quantity: number
  unitPriceAmount: number
}

/** The lines with their unit prices in minor units; a price in another currency than the order's is refused (CurrencyMismatch). */
export function pricedLines(currency: string, lines: readonly PricedLine[]): PricedLineRecord[] {
  return lines.map((l) => ({ productId: l.productId, quantity: l.quantity, unitPriceAmount: amountIn(currency, l.unitPrice) }))
}
