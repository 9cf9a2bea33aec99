// The payments' query: an order's charges and refunds as GET /payments shows them.
import type { Knex } from 'knex'
import { moneyOf } from '@choreo/contracts'
import { mayActFor, type Caller } from '@choreo/platform/http'
import { findOrderPayment } from '../../repositories/order-payments.ts'
import { paymentsOfOrder } from '../../repositories/payments.ts'
import type { PaymentsOfOrder } from './schemas.ts'

/**
 * The order's payments as the caller may see them: a customer only an order charged to them
 * (order_payments says whose it is); an admin any, one not seen here as empty. Undefined when the
 * caller may not see it.
 */
export async function paymentsSeenBy(db: Knex, caller: Caller, orderId: string): Promise<PaymentsOfOrder | undefined> {
  const [order, payments] = await Promise.all([findOrderPayment(db, orderId), paymentsOfOrder(db, orderId)])
  if (caller.role !== 'admin' && (!order || !mayActFor(caller, order.customerId))) return undefined
  return {
    orderId,
    items: payments.map((p) => ({ paymentId: p.paymentId, kind: p.kind, amount: p.amount, reason: p.reason, createdAt: p.createdAt.toISOString() })),
    charged: order ? moneyOf(order.charged, order.currency) : null,
    refunded: order ? moneyOf(order.refunded, order.currency) : null,
  }
}
