// The orders' queries: an order and pages of orders as the GET routes show them.
import type { Knex } from 'knex'
import { encodeCursor } from '../../domain/cursor.ts'
import { findOrder, listOrders, type Order, type OrderFilter } from '../../repositories/orders.ts'
import { linesOf, type OrderLineRecord } from '../../repositories/order-lines.ts'
import { historyOf } from '../../repositories/order-history.ts'
import type { OrderDetail, OrderPage, OrderSummary } from './schemas.ts'

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

/** A page of orders as GET /orders lists it, newest first, with the cursor of the next page (null when none follows). */
export async function orderPage(db: Knex | Knex.Transaction, filter: OrderFilter): Promise<OrderPage> {
  // One row more than asked tells whether another page follows.
  const rows = await listOrders(db, { ...filter, limit: filter.limit + 1 })
  const page = rows.slice(0, filter.limit)
  const last = page.at(-1)
  return {
    items: await orderSummaries(db, page),
    nextCursor: rows.length > filter.limit && last ? encodeCursor({ createdAt: last.createdAt, orderId: last.orderId }) : null,
  }
}

/** Orders as GET /orders lists them: without history, lines read in one query. */
async function orderSummaries(db: Knex | Knex.Transaction, orders: readonly Order[]): Promise<OrderSummary[]> {
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
