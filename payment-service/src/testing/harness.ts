// payment-service's tests on testkit's harness, and its fixtures: customers, orders on record, incoming events, the money invariant.
import { randomUUID } from 'node:crypto'
import type { Knex } from 'knex'
import { expect } from 'vitest'
import type { Money, NewEvent, OrderPlaced, OrderShipped, ReservationAdjusted, StockReleased, StockReserved } from '@choreo/contracts'
import { eventEnvelope, useServiceApp, type AppHarness, type AppOptions, type TestedService } from '@choreo/testkit'
import { build } from '../app.ts'
import { readConfig } from '../config.ts'
import { migrations } from '../migrations/index.ts'
import { insertCustomer } from '../repositories/customers.ts'
import { linesKey } from '../domain/order-lines.ts'
import { insertPlacedOrder, insertRequestedModification } from '../repositories/order-facts.ts'
import { chargeOrder } from '../steps/charge-order.ts'

export type PaymentApp = Awaited<ReturnType<typeof build>>
export type Harness = AppHarness<PaymentApp>

/** payment-service as testkit's harness starts it. */
export const paymentUnderTest: TestedService<PaymentApp> = { name: 'payment', migrations, build: async (env, options) => build(readConfig(env), options) }

/** The app on a database and topics of its own, migrated and consuming, for the tests of this file or describe block; `messaging: false` leaves Kafka out. */
export function usePaymentApp(label: string, options: AppOptions = {}): Harness {
  return useServiceApp(paymentUnderTest, label, {}, options)
}

/** Runs a saga step the way the consumer does: in one transaction, returning what it emits. */
export function handle<E>(db: Knex, handler: (event: E, trx: Knex.Transaction) => Promise<NewEvent[]>, event: E): Promise<NewEvent[]> {
  return db.transaction((trx) => handler(event, trx))
}

export function stockReserved(orderId: string, customerId: string, total: Money): StockReserved {
  return { ...eventEnvelope(orderId), customerId, lines: [{ productId: 'p-1', quantity: 1, unitPrice: total }], total }
}

/** The OrderPlaced that `stockReserved(orderId, customerId, total)` answers: one unit of p-1, in the total's currency. */
export function orderPlaced(orderId: string, customerId: string, currency = 'EUR'): OrderPlaced {
  return {
    ...eventEnvelope(orderId), customerId, items: [{ productId: 'p-1', quantity: 1 }], currency,
    shippingAddress: { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
  }
}

export function reservationAdjusted(orderId: string, total: Money, accepted = true): ReservationAdjusted {
  return {
    ...eventEnvelope(orderId), modificationId: randomUUID(), accepted,
    lines: [{ productId: 'p-1', quantity: 1, unitPrice: total }], total,
    reason: accepted ? null : 'not enough stock', shortLines: [],
  }
}

/**
 * A StockReserved whose order is on record as placed by that customer for those lines, as the
 * facts consumer records it from order.events: what chargeOrder requires before it charges.
 */
export async function reserved(db: Knex, orderId: string, customerId: string, total: Money): Promise<StockReserved> {
  const event = stockReserved(orderId, customerId, total)
  await db.transaction((trx) => insertPlacedOrder(trx, { orderId, customerId, currency: total.currency, items: linesKey(event.lines) }, new Date()))
  return event
}

/** A ReservationAdjusted whose modification is on record as requested, as settleAdjustment requires. */
export async function adjusted(db: Knex, orderId: string, total: Money, accepted = true): Promise<ReservationAdjusted> {
  const event = reservationAdjusted(orderId, total, accepted)
  const { modificationId, lines } = event
  await db.transaction((trx) => insertRequestedModification(trx, { modificationId, orderId, items: linesKey(lines) }, new Date()))
  return event
}

export function orderShipped(orderId: string): OrderShipped {
  return { ...eventEnvelope(orderId), shipmentId: randomUUID(), carrier: 'DHL', trackingNumber: 'JD014600006266371234' }
}

export function stockReleased(orderId: string): StockReleased {
  return { ...eventEnvelope(orderId), reason: 'order cancelled', lines: [{ productId: 'p-1', quantity: 1 }] }
}

export function eur(amount: number): Money {
  return { amount, currency: 'EUR' }
}

/**
 * A customer with `opening` in euro cents and a new order of theirs, placed for `total`, on which
 * chargeOrder has run: `paymentId` is the charge's, or null where the balance did not cover it.
 */
export async function placeAndCharge(db: Knex, opening: number, total: Money): Promise<{ customerId: string; orderId: string; paymentId: string | null }> {
  const customerId = await newCustomer(db, eur(opening))
  const orderId = randomUUID()
  const [charge] = await handle(db, chargeOrder, await reserved(db, orderId, customerId, total))
  return { customerId, orderId, paymentId: charge?.type === 'PaymentCompleted' ? charge.data.paymentId : null }
}

/** A customer with an opening balance, under a fresh id. */
export async function newCustomer(db: Knex, opening: Money): Promise<string> {
  const customerId = `c-${randomUUID()}`
  await insertCustomer(db, { customerId, name: 'Ada Lovelace', balance: opening })
  return customerId
}

export async function balanceOf(db: Knex, customerId: string): Promise<number> {
  const row = await db('customers').where({ customer_id: customerId }).first('balance_amount') as { balance_amount: string } | undefined
  if (!row) throw new Error(`no customer ${customerId}`)
  return Number(row.balance_amount)
}

async function sumOf(query: Knex.QueryBuilder): Promise<number> {
  const row = await query.sum({ total: 'amount' }).first() as { total: string | null } | undefined
  return Number(row?.total ?? 0)
}

/**
 * The money invariant, per customer: balance + charged − refunded = opening balance + deposits;
 * and each order's charged/refunded columns match its payments.
 */
export async function expectMoneyConserved(db: Knex, customerId: string, opening: number): Promise<void> {
  const [balance, charged, refunded, deposits] = await Promise.all([
    balanceOf(db, customerId),
    sumOf(db('payments').where({ customer_id: customerId, kind: 'CHARGE' })),
    sumOf(db('payments').where({ customer_id: customerId, kind: 'REFUND' })),
    sumOf(db('deposits').where({ customer_id: customerId })),
  ])
  expect(balance).toBeGreaterThanOrEqual(0)
  expect(balance + charged - refunded).toBe(opening + deposits)
  const orders = await db('order_payments').where({ customer_id: customerId }) as { order_id: string; charged: string; refunded: string }[]
  for (const order of orders) {
    expect(Number(order.charged)).toBe(await sumOf(db('payments').where({ order_id: order.order_id, kind: 'CHARGE' })))
    expect(Number(order.refunded)).toBe(await sumOf(db('payments').where({ order_id: order.order_id, kind: 'REFUND' })))
  }
}

export async function countRows(db: Knex, table: string, where: Record<string, unknown> = {}): Promise<number> {
  const row = await db(table).where(where).count({ n: '*' }).first() as { n: string | number } | undefined
  return Number(row?.n ?? 0)
}
