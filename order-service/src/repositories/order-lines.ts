// The lines of orders: product, quantity and, once stock has priced it, the unit price.
import type { Knex } from 'knex'

export interface OrderLineRecord {
  productId: string
  quantity: number
  /** Minor units in the order's currency; null until stock has priced the line. */
  unitPriceAmount: number | null
}

interface LineRow {
  order_id: string
  product_id: string
  quantity: number
  unit_price_amount: string | number | null
}

function fromRow(row: LineRow): OrderLineRecord {
  return { productId: row.product_id, quantity: row.quantity, unitPriceAmount: row.unit_price_amount === null ? null : Number(row.unit_price_amount) }
}

/** Replaces every line of an order (the reserved lines, once stock has priced them). */
export async function replaceLines(db: Knex | Knex.Transaction, orderId: string, lines: readonly OrderLineRecord[]): Promise<void> {
  await db<LineRow>('order_lines').where({ order_id: orderId }).delete()
  await insertLines(db, orderId, lines)
}

/** Adds lines to an order that has none yet. */
export async function insertLines(db: Knex | Knex.Transaction, orderId: string, lines: readonly OrderLineRecord[]): Promise<void> {
  if (lines.length === 0) return
  await db<LineRow>('order_lines').insert(lines.map((l) => ({
    order_id: orderId, product_id: l.productId, quantity: l.quantity, unit_price_amount: l.unitPriceAmount,
  })))
}

/** The lines of these orders, by order id, each order's lines by product id. */
export async function linesOf(db: Knex | Knex.Transaction, orderIds: readonly string[]): Promise<Map<string, OrderLineRecord[]>> {
  const byOrder = new Map<string, OrderLineRecord[]>(orderIds.map((id) => [id, []]))
  if (orderIds.length === 0) return byOrder
  const rows = await db<LineRow>('order_lines').whereIn('order_id', orderIds).orderBy(['order_id', 'product_id'])
  for (const row of rows) byOrder.get(row.order_id)?.push(fromRow(row))
  return byOrder
}
