import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventType } from '@choreo/contracts'
import { bearerAs, eventEnvelope, eventually, hostileSender, readTopic, UNKNOWN_SCHEMA_MESSAGE, type ForgedMessage, type HostileSender } from '@choreo/testkit'
import { updateOrder } from './repositories/orders.ts'
import { useOrderApp } from './testing/harness.ts'

// Hostile messages through Kafka to the running consumer: what cannot be read goes to the
// dead-letter topic, a valid event about an order order-service does not have is a documented
// no-op (steps/order-step.ts), an event replayed after the order ended changes nothing, and the
// consumer goes on. Messages of a test go to partition 0, so the last one proves the ones
// before it were passed.

const h = useOrderApp('hostile')
let forger: HostileSender

beforeAll(async () => {
  // Each topic written by its owner's principal: the broker lets these through, the consumer must judge them.
  forger = await hostileSender(h.prefix, ['StockReserved', 'PaymentCompleted', 'OrderShipped', 'ReservationAdjusted'], ['stock.events', 'payment.events'])
})

afterAll(async () => {
  await forger?.close()
})

const encoded = (type: EventType, event: { orderId: string }): ForgedMessage => forger.encoded(type, event)
const send = (topic: 'stock.events' | 'payment.events', ...messages: ForgedMessage[]) => forger.send(topic, ...messages)

const EUR = (amount: number) => ({ amount, currency: 'EUR' })
const meta = eventEnvelope
const stockReserved = (orderId: string) => ({ ...meta(orderId), customerId: 'ada', lines: [{ productId: 'teapot', quantity: 1, unitPrice: EUR(3450) }], total: EUR(3450) })
const paymentCompleted = (orderId: string) => ({ ...meta(orderId), paymentId: randomUUID(), customerId: 'ada', amount: EUR(3450) })
const orderShipped = (orderId: string) => ({ ...meta(orderId), shipmentId: randomUUID(), carrier: 'UPS', trackingNumber: `1Z${randomUUID().slice(0, 8)}` })

async function placeOrder(): Promise<string> {
  const res = await h.app.inject({
    method: 'POST', url: '/orders',
    headers: { ...bearerAs('ada'), 'idempotency-key': randomUUID() },
    payload: { customerId: 'ada', items: [{ productId: 'teapot', quantity: 1 }], shippingAddress: { name: 'Ada', line1: '1 Loop Rd', city: 'Delft', postalCode: '2611', country: 'NL' } },
  })
  expect(res.statusCode).toBe(201)
  return res.json<{ orderId: string }>().orderId
}

/** Everything order-service keeps about an order. */
async function stateOf(orderId: string) {
  const db = h.database.db
  return {
    order: await db('orders').where({ order_id: orderId }).first(),
    lines: await db('order_lines').where({ order_id: orderId }).orderBy('product_id'),
    history: await db('order_history').where({ order_id: orderId }).orderBy('id'),
    outbox: await db('outbox').where({ aggregate_id: orderId }).count<{ n: string }[]>({ n: '*' }),
  }
}
const inboxHas = async (eventId: string) => (await h.database.db('inbox').where({ event_id: eventId })).length === 1

describe('hostile events', () => {
  it('dead-letters unreadable bytes and an unknown schema id, does nothing for events about unknown orders, and goes on', async () => {
    const orderId = await placeOrder()
    const unknownOrder = randomUUID()
    const reservedUnknown = stockReserved(unknownOrder)
    const paidUnknown = paymentCompleted(unknownOrder)

    await send('payment.events', encoded('PaymentCompleted', paidUnknown))
    await send('stock.events',
      { key: 'garbage', value: Buffer.from('{"json":"is not avro"}') },
      UNKNOWN_SCHEMA_MESSAGE,
      encoded('StockReserved', reservedUnknown),
      encoded('StockReserved', stockReserved(orderId)),
    )

    await eventually(async () => expect((await stateOf(orderId)).order.status).toBe('STOCK_RESERVED'), { timeoutMs: 30_000 })
    const deadLetters = await readTopic(`${h.prefix}order-service.dlt`)
    expect(deadLetters.map((m) => m.key).sort()).toEqual(['garbage', 'unknown-schema'])
    await eventually(async () => expect(await inboxHas(paidUnknown.eventId)).toBe(true), { timeoutMs: 30_000 })
    expect(await inboxHas(reservedUnknown.eventId)).toBe(true)
    expect(await stateOf(unknownOrder)).toEqual({ order: undefined, lines: [], history: [], outbox: [{ n: '0' }] })
  })

  it('a cancelled order: its StockReserved replayed (the very message) changes nothing at all', async () => {
    const orderId = await placeOrder()
    const reserved = encoded('StockReserved', stockReserved(orderId))
    await send('stock.events', reserved)
    await eventually(async () => expect((await stateOf(orderId)).order.status).toBe('STOCK_RESERVED'), { timeoutMs: 30_000 })
    await updateOrder(h.database.db, orderId, { status: 'CANCELLED', reason: 'requested by customer' }, new Date())
    const before = await stateOf(orderId)

    const marker = await placeOrder()
    await send('stock.events', reserved, encoded('StockReserved', stockReserved(marker)))

    await eventually(async () => expect((await stateOf(marker)).order.status).toBe('STOCK_RESERVED'), { timeoutMs: 30_000 })
    expect(await stateOf(orderId)).toEqual(before)
  })

  it('a cancelled order: late progress events (new ones) leave it CANCELLED with its reason, and emit nothing', async () => {
    const orderId = await placeOrder()
    await updateOrder(h.database.db, orderId, { status: 'CANCELLED', reason: 'requested by customer' }, new Date())
    const before = await stateOf(orderId)
    const late = [stockReserved(orderId), orderShipped(orderId)]
    const paid = paymentCompleted(orderId)

    await send('payment.events', encoded('PaymentCompleted', paid))
    await send('stock.events', encoded('StockReserved', late[0]!), encoded('OrderShipped', late[1]!))

    for (const { eventId } of [...late, paid]) await eventually(async () => expect(await inboxHas(eventId)).toBe(true), { timeoutMs: 30_000 })
    const after = await stateOf(orderId)
    expect(after.order).toMatchObject({ status: 'CANCELLED', reason: 'requested by customer' })
    expect(after.outbox).toEqual(before.outbox)
    // Every handled event gets a history row (steps/order-step.ts); none moves the status.
    expect(after.history.slice(before.history.length).map((h: { status: string }) => h.status)).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED'])
  })

  it('refuses an undo ("payment declined") of a modification it never asked for: dead-lettered with its rule, the lines unchanged', async () => {
    const orderId = await placeOrder()
    await send('stock.events', encoded('StockReserved', stockReserved(orderId)))
    await eventually(async () => expect((await stateOf(orderId)).order.status).toBe('STOCK_RESERVED'), { timeoutMs: 30_000 })
    const before = await stateOf(orderId)
    const forged = {
      ...meta(orderId), modificationId: randomUUID(), accepted: false, reason: 'payment declined',
      lines: [{ productId: 'teapot', quantity: 40, unitPrice: EUR(1) }], total: EUR(40), shortLines: [],
    }
    const marker = await placeOrder()

    await send('stock.events', encoded('ReservationAdjusted', forged), encoded('StockReserved', stockReserved(marker)))

    await eventually(async () => expect((await stateOf(marker)).order.status).toBe('STOCK_RESERVED'), { timeoutMs: 30_000 })
    expect(await stateOf(orderId)).toEqual(before)
    const deadLetters = (await readTopic(`${h.prefix}order-service.dlt`)).filter((m) => m.key === orderId)
    expect(deadLetters.map((m) => m.headers['dlt-reason'])).toEqual(['refused: undo-of-unrequested-modification'])
  })
})
