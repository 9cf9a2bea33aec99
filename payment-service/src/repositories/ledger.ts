// The ledger: money moving between a customer's balance and an order, each movement recorded as a payment.
import { randomUUID } from 'node:crypto'
import type { Knex } from 'knex'
import type { Money } from '@choreo/contracts'
import { creditBalance, debitBalance } from './customers.ts'
import { insertPayment } from './payments.ts'

/** Money moving between a customer's balance and an order, and why. */
export interface Movement {
  orderId: string
  customerId: string
  amount: Money
  reason: string
}

/** Takes money from the customer for the order if the balance covers it; the charge's id, or null when it does not. */
export async function charge(trx: Knex.Transaction, movement: Movement): Promise<string | null> {
  if (!(await debitBalance(trx, movement.customerId, movement.amount))) return null
  const paymentId = randomUUID()
  await insertPayment(trx, { paymentId, kind: 'CHARGE', ...movement })
  return paymentId
}

/** Gives money of the order back to the customer; the refund's id. */
export async function refund(trx: Knex.Transaction, movement: Movement): Promise<string> {
  await creditBalance(trx, movement.customerId, movement.amount)
  const refundId = randomUUID()
  await insertPayment(trx, { paymentId: refundId, kind: 'REFUND', ...movement })
  return refundId
}
