// Payments: every charge and refund between a customer's balance and an order.
import type { Knex } from 'knex'
import { moneyOf, type Money } from '@choreo/contracts'

export type PaymentKind = 'CHARGE' | 'REFUND'

/** One movement of money between a customer's balance and an order. */
export interface Payment {
  paymentId: string
  orderId: string
  customerId: string
  kind: PaymentKind
  amount: Money
  reason: string
  createdAt: Date
}

interface PaymentRow {
  payment_id: string
  order_id: string
  customer_id: string
  kind: PaymentKind
  amount: string
  currency: string
  reason: string
  created_at: Date
}

function fromRow(row: PaymentRow): Payment {
  const { payment_id: paymentId, order_id: orderId, customer_id: customerId, kind, reason, created_at: createdAt } = row
  return { paymentId, orderId, customerId, kind, amount: moneyOf(row.amount, row.currency), reason, createdAt }
}

export async function insertPayment(db: Knex | Knex.Transaction, payment: Omit<Payment, 'createdAt'>): Promise<void> {
  await db('payments').insert({
    payment_id: payment.paymentId,
    order_id: payment.orderId,
    customer_id: payment.customerId,
    kind: payment.kind,
    amount: payment.amount.amount,
    currency: payment.amount.currency,
    reason: payment.reason,
  })
}

/** An order's payments, oldest first. */
export async function paymentsOfOrder(db: Knex | Knex.Transaction, orderId: string): Promise<Payment[]> {
  const rows = await db<PaymentRow>('payments').select('*').where({ order_id: orderId }).orderBy([{ column: 'created_at' }, { column: 'payment_id' }])
  return rows.map(fromRow)
}
