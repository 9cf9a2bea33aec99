// stock-service's tests on testkit's harness, and its fixtures: products, incoming events, the rows to check.
import { randomUUID } from 'node:crypto'
import type { Knex } from 'knex'
import type { EventData, EventType, Events, Money, NewEvent, OrderLine } from '@choreo/contracts'
import { eventEnvelope, useServiceApp, type AppHarness, type AppOptions, type TestedService } from '@choreo/testkit'
import { build } from '../app.ts'
import { readConfig } from '../config.ts'
import { migrations } from '../migrations/index.ts'
import { insertProduct, findProduct, type Product } from '../repositories/products.ts'

export type StockApp = Awaited<ReturnType<typeof build>>

/** stock-service as testkit's harness starts it. */
export const stockUnderTest: TestedService<StockApp> = { name: 'stock', migrations, build: async (env, options) => build(readConfig(env), options) }

/** The app on a database and topics of its own, migrated and consuming (`messaging: false`: HTTP only, no Kafka), for this file's tests; `env` adds settings (FULFILMENT_DELAY_MS). */
export function useStockApp(label: string, env: Record<string, string> = {}, options: AppOptions = {}): AppHarness<StockApp> {
  return useServiceApp(stockUnderTest, label, env, options)
}

/** Runs a saga step the way the consumer does: in one transaction, returning what it emits. */
export function react<E>(db: Knex, handler: (event: E, trx: Knex.Transaction) => Promise<readonly NewEvent[]> | readonly NewEvent[], event: E): Promise<readonly NewEvent[]> {
  return db.transaction(async (trx) => handler(event, trx))
}

/** The envelope fields of an incoming event about `orderId`. */
export const envelope = eventEnvelope

export function orderPlaced(orderId: string, items: OrderLine[], currency = 'EUR'): Events['OrderPlaced'] {
  return {
    ...envelope(orderId), customerId: 'customer-1', items, currency,
    shippingAddress: { name: 'Ada Lovelace', line1: 'Main St 1', city: 'Amsterdam', postalCode: '1011AB', country: 'NL' },
  }
}

export function paymentCompleted(orderId: string, amount: Money): Events['PaymentCompleted'] {
  return { ...envelope(orderId), paymentId: randomUUID(), customerId: 'customer-1', amount }
}

/** A product with a unique id, so tests sharing one database do not meet. */
export async function givenProduct(db: Knex, available: number, price: Money = { amount: 1000, currency: 'EUR' }): Promise<string> {
  const productId = `p-${randomUUID()}`
  await insertProduct(db, { productId, name: `product ${productId}`, price, available })
  return productId
}

export async function stockOf(db: Knex, productId: string): Promise<Pick<Product, 'available' | 'reserved'>> {
  const product = await findProduct(db, productId)
  if (!product) throw new Error(`no product ${productId}`)
  return { available: product.available, reserved: product.reserved }
}

export async function reservationRow(db: Knex, orderId: string): Promise<{ status: string; total_amount: string; paid_amount: string } | undefined> {
  return db('reservations').where({ order_id: orderId }).first()
}

export function typesOf(events: readonly NewEvent[]): string[] {
  return events.map((e) => e.type)
}

/** The data of the one event of this type among `events`. */
export function only<T extends EventType>(events: readonly NewEvent[], type: T): EventData<T> {
  const found = events.filter((e) => e.type === type)
  if (found.length !== 1) throw new Error(`expected one ${type}, got ${typesOf(events).join(', ') || 'nothing'}`)
  return found[0]?.data as EventData<T>
}
