// The saga-shaped events the relay benchmarks write (OrderPlaced, StockReserved), and an outbox filled with them through the services' own enqueue.
import { randomUUID } from 'node:crypto'
import { newEvent, type NewEvent } from '@choreo/contracts'
import type { Cause, Outbox } from '@choreo/messaging'
import type { Knex } from 'knex'

/** The event types the relay benchmarks write; they must be registered before publishing. */
export const BENCH_EVENT_TYPES = ['OrderPlaced', 'StockReserved'] as const

const PRODUCTS = ['teapot', 'mug', 'kettle', 'tea-sampler', 'strainer', 'cosy']
const address = { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' }

/** Events shaped like the saga's: an order placed, then its stock reserved, alternating per key. */
export function orderEvent(orderId: string, seq: number): NewEvent {
  const lines = PRODUCTS.slice(0, 1 + (seq % 3)).map((productId, i) => ({ productId, quantity: 1 + i }))
  if (seq % 2 === 0) {
    return newEvent('OrderPlaced', { orderId, customerId: `customer-${orderId.slice(0, 8)}`, items: lines, shippingAddress: address, currency: 'EUR' })
  }
  const priced = lines.map((l, i) => ({ ...l, unitPrice: { amount: 1200 + 350 * i, currency: 'EUR' } }))
  const total = priced.reduce((sum, l) => sum + l.quantity * l.unitPrice.amount, 0)
  return newEvent('StockReserved', { orderId, customerId: `customer-${orderId.slice(0, 8)}`, lines: priced, total: { amount: total, currency: 'EUR' } })
}

export function benchCause(): Cause {
  return { correlationId: randomUUID(), causationId: null, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }
}

/**
 * Fills the outbox with `events` rows over `keys` order ids, through `Outbox.enqueue` (so the rows
 * are exactly what the services write) in transactions of `perTransaction` events.
 */
export async function fillOutbox(db: Knex, outbox: Outbox, opts: { events: number; keys: number; perTransaction: number }): Promise<void> {
  const orderIds = Array.from({ length: opts.keys }, () => randomUUID())
  for (let first = 0; first < opts.events; first += opts.perTransaction) {
    const batch: NewEvent[] = []
    for (let i = first; i < Math.min(opts.events, first + opts.perTransaction); i++) {
      batch.push(orderEvent(orderIds[i % opts.keys] as string, Math.floor(i / opts.keys)))
    }
    await db.transaction((trx) => outbox.enqueue(trx, batch, benchCause()))
  }
}
