import type { Knex } from 'knex'
import { findOrder, type Order } from '../../repositories/orders.ts'
import { linesOf, type OrderLineRecord } from '../../repositories/order-lines.ts'
import { historyOf } from '../../repositories/order-history.ts'
import type { OrderDetail, OrderSummary } from './schemas.ts'

/** An order as GET /orders/:orderId shows it, history included; undefined if unknown. */
export async function orderDetail(db: Knex | Knex.Transaction, orderId: string): Promise<OrderDetail | undefined> {
  const order = await findOrder(db, orderId)
  if (!order) return undefined
  const [lines, history] = await Promise.all([linesOf(db, [orderId]), historyOf(db, orderId)])
  return {
    ...summaryOf(order, lines.get(orderId) ?? []),
    history: history.map((h) => ({ status: h.status, at: h.at.toISOString(), event: h.event })),
  }
}

/** Orders as GET /orders lists them: without history, lines read in one query. */
export async function orderSummaries(db: Knex | Knex.Transaction, orders: readonly Order[]): Promise<OrderSummary[]> {
  const lines = await linesOf(db, orders.map((o) => o.orderId))
  return orders.map((o) => summaryOf(o, lines.get(o.orderId) ?? []))
}

function summaryOf(order: Order, lines: readonly OrderLineRecord[]): OrderSummary {
  const money = (amount: number | null) => (amount === null ? null : { amount, currency: order.currency })
  return {
    orderId: order.orderId,
    customerId: order.customerId,
    status: order.status,
    items: lines.map((l) => ({ productId: l.productId, quantity: l.quantity, unitPrice: money(l.unitPriceAmount) })),
    total: money(order.totalAmount),
    shipment: order.carrier !== null && order.trackingNumber !== null ? { carrier: order.carrier, trackingNumber: order.trackingNumber } : null,
    reason: order.reason,
  }
}
