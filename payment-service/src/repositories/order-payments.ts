// What payment-service knows of each order it charged: whom, how much each way, and in which state.
import type { Knex } from 'knex'

/** OPEN: charged and still adjustable; FAILED: a charge failed, release will follow; SETTLED: release refunded everything. */
export type OrderPaymentState = 'OPEN' | 'FAILED' | 'SETTLED'

/** What payment-service knows of one order: whom it charges, and how much went each way. */
export interface OrderPayment {
  orderId: string
  customerId: string
  currency: string
  state: OrderPaymentState
  /** Sum of the order's charges, in minor units. */
  charged: number
  /** Sum of the order's refunds, in minor units. */
  refunded: number
  firstPaymentId: string | null
}

interface OrderPaymentRow {
  order_id: string
  customer_id: string
  currency: string
  state: OrderPaymentState
  charged: string
  refunded: string
  first_payment_id: string | null
}

const COLUMNS = ['order_id', 'customer_id', 'currency', 'state', 'charged', 'refunded', 'first_payment_id'] as const

function fromRow(row: OrderPaymentRow): OrderPayment {
  return {
    orderId: row.order_id,
    customerId: row.customer_id,
    currency: row.currency,
    state: row.state,
    charged: Number(row.charged),
    refunded: Number(row.refunded),
    firstPaymentId: row.first_payment_id,
  }
}

export async function findOrderPayment(db: Knex | Knex.Transaction, orderId: string): Promise<OrderPayment | undefined> {
  const row = await db<OrderPaymentRow>('order_payments').select(...COLUMNS).where({ order_id: orderId }).first()
  return row ? fromRow(row) : undefined
}

/** Reads an order's payments and holds the row until the transaction ends: handlers of one order on different topics take turns. */
export async function lockOrderPayment(trx: Knex.Transaction, orderId: string): Promise<OrderPayment | undefined> {
  const row = await trx<OrderPaymentRow>('order_payments').select(...COLUMNS).where({ order_id: orderId }).forUpdate().first()
  return row ? fromRow(row) : undefined
}

export async function insertOrderPayment(db: Knex | Knex.Transaction, order: OrderPayment): Promise<void> {
  await db('order_payments').insert({
    order_id: order.orderId,
    customer_id: order.customerId,
    currency: order.currency,
    state: order.state,
    charged: order.charged,
    refunded: order.refunded,
    first_payment_id: order.firstPaymentId,
  })
}

export async function updateOrderPayment(
  db: Knex | Knex.Transaction,
  orderId: string,
  changes: Partial<Pick<OrderPayment, 'state' | 'charged' | 'refunded'>>,
): Promise<void> {
  await db('order_payments').where({ order_id: orderId }).update({
    ...(changes.state !== undefined ? { state: changes.state } : {}),
    ...(changes.charged !== undefined ? { charged: changes.charged } : {}),
    ...(changes.refunded !== undefined ? { refunded: changes.refunded } : {}),
    updated_at: db.fn.now(),
  })
}

/** Records that the order shipped; false when payment-service has no such order (it never charged it). */
export async function markShipped(trx: Knex.Transaction, orderId: string, at: Date): Promise<boolean> {
  return (await trx('order_payments').where({ order_id: orderId }).whereNull('shipped_at').update({ shipped_at: at, updated_at: trx.fn.now() })) > 0
}

/** Whether the order shipped (its OrderShipped handled here). */
export async function isShipped(db: Knex | Knex.Transaction, orderId: string): Promise<boolean> {
  const row = await db('order_payments').where({ order_id: orderId }).whereNotNull('shipped_at').first('order_id')
  return row !== undefined
}
