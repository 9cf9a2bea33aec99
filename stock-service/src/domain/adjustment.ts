// Planning a reservation's lines: which units to move, or why the order cannot have them.
import { byProductId, mergeItems, type Money, type OrderLine, type PricedLine, type ShortLine } from '@choreo/contracts'

/** What planning needs to know of a product, read under its row lock. */
export interface StockLevel {
  price: Money
  available: number
}

/** Why lines could not be reserved, worst first: the first that applies names the failure. */
export const shortageReasons = {
  noLines: 'no lines',
  unknownProduct: 'unknown product',
  currencyMismatch: 'currency mismatch',
  insufficientStock: 'insufficient stock',
} as const

export type ShortageReason = (typeof shortageReasons)[keyof typeof shortageReasons]

/** Units to move for one product: positive available → reserved, negative back. */
export interface Move {
  productId: string
  delta: number
}

export type Plan =
  | { ok: true; lines: PricedLine[]; moves: Move[] }
  | { ok: false; reason: ShortageReason; shortLines: ShortLine[] }

/**
 * Plans replacing the reserved lines `current` by `items`, all or nothing. Placing an order is
 * the case where nothing is reserved yet. A product already reserved keeps the unit price fixed
 * when it was reserved; a new one is priced now and must be priced in the order's currency.
 * A short line reports as available what this order could have: the free units plus its own.
 * No lines at all is refused: an empty parcel cannot ship, and cancelling is the way to drop all.
 */
export function planAdjustment(current: readonly PricedLine[], items: readonly OrderLine[], stock: ReadonlyMap<string, StockLevel>, currency: string): Plan {
  const held = new Map(current.map((line) => [line.productId, line]))
  const wanted = mergeItems(items)
  const lines: PricedLine[] = []
  const shortLines: ShortLine[] = []
  const found = new Set<ShortageReason>(wanted.length === 0 ? [shortageReasons.noLines] : [])
  const short = (reason: ShortageReason, line: ShortLine) => {
    found.add(reason)
    shortLines.push(line)
  }
  for (const { productId, quantity } of wanted) {
    const product = stock.get(productId)
    if (!product) {
      short(shortageReasons.unknownProduct, { productId, requested: quantity, available: 0 })
      continue
    }
    const unitPrice = held.get(productId)?.unitPrice ?? product.price
    const available = product.available + (held.get(productId)?.quantity ?? 0)
    if (unitPrice.currency !== currency) short(shortageReasons.currencyMismatch, { productId, requested: quantity, available })
    else if (available < quantity) short(shortageReasons.insufficientStock, { productId, requested: quantity, available })
    else lines.push({ productId, quantity, unitPrice })
  }
  const reason = Object.values(shortageReasons).find((r) => found.has(r))
  if (reason) return { ok: false, reason, shortLines }
  const quantities = new Map<string, number>(wanted.map((line) => [line.productId, line.quantity]))
  const moves = [...new Set([...held.keys(), ...quantities.keys()])]
    .map((productId) => ({ productId, delta: (quantities.get(productId) ?? 0) - (held.get(productId)?.quantity ?? 0) }))
    .filter((move) => move.delta !== 0)
    .sort(byProductId)
  return { ok: true, lines, moves }
}
