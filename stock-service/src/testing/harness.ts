import { randomUUID } from 'node:crypto'
import type { Knex } from 'knex'
import type { EventData, EventType, Events, Money, NewEvent, OrderLine } from '@choreo/contracts'
import type { Handler } from '@choreo/messaging'
import { createTestDatabase, createTestTopics, serviceEnv } from '@choreo/testkit'
import { build } from '../app.ts'
import { readConfig } from '../config.ts'
import { insertProduct, findProduct, type Product } from '../repositories/products.ts'

export type StockApp = Awaited<ReturnType<typeof build>>

/** The app on a database and topics of its own, migrated and consuming; `close` drops them. `env` adds settings (FULFILMENT_DELAY_MS). */
export async function startStockApp(label: string, env: Record<string, string> = {}): Promise<{ app: StockApp; prefix: string; close: () => Promise<void> }> {
  const database = await createTestDatabase(label)
  const prefix = await createTestTopics(label)
  const config = readConfig(serviceEnv(database.url, prefix, env))
  const app = await build(config)
  await app.ready()
  return {
    app,
    prefix,
    async close() {
      await app.close()
      await database.drop()
    },
  }
}

/** Runs a saga step the way the consumer does: in one transaction, returning what it emits. */
export function react<T extends EventType>(db: Knex, handler: Handler<T>, event: Events[T]): Promise<readonly NewEvent[]> {
  return db.transaction(async (trx) => handler(event, trx))
}

/** The envelope fields of an incoming event about `orderId`. */
export function envelope(orderId: string) {
  return { eventId: randomUUID(), orderId, correlationId: randomUUID(), causationId: null, occurredAt: Date.now() }
}

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
