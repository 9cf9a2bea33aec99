import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventType, Events } from '@choreo/contracts'
import { createEventCodec, type EventCodec } from '@choreo/messaging'
import { eventually, infra, producerAs, readTopic } from '@choreo/testkit'
import { envelope, givenProduct, orderPlaced, paymentCompleted, reservationRow, startStockApp, stockOf, type StockApp } from './testing/harness.ts'

// Hostile messages through Kafka to the running consumer: what cannot be read goes to the
// dead-letter topic, a payment of an order stock-service never reserved is refused (dead-lettered
// with its rule), a cancellation of one is a documented no-op, a replay changes nothing, and the
// consumer goes on to the next message. Messages of a
// test go to partition 0 of a topic, so the last one proves the ones before it were passed.

let app: StockApp
let prefix: string
let close: () => Promise<void>
let codec: EventCodec
let producers: Record<'order.events' | 'payment.events', Awaited<ReturnType<typeof producerAs>>>

beforeAll(async () => {
  ({ app, prefix, close } = await startStockApp('stock-hostile'))
  codec = createEventCodec({ registryUrl: infra().registryUrl })
  await codec.register(['OrderPlaced', 'OrderCancellationRequested', 'PaymentCompleted', 'PaymentFailed', 'PaymentRefunded'])
  // Each topic written by its owner's principal: the broker lets these through, the consumer must judge them.
  producers = { 'order.events': await producerAs('order-service', prefix), 'payment.events': await producerAs('payment-service', prefix) }
})

afterAll(async () => {
  await Promise.all(Object.values(producers ?? {}).map((p) => p.disconnect()))
  await close?.()
})

interface Message { key: string; value: Buffer }
const encoded = (type: EventType, event: { orderId: string }): Message => ({ key: event.orderId, value: codec.encode(type, event) })
const send = (topic: 'order.events' | 'payment.events', ...messages: Message[]) =>
  producers[topic].send({ topic: `${prefix}${topic}`, acks: -1, messages: messages.map((m) => ({ ...m, partition: 0 })) })
const cancellation = (orderId: string): Events['OrderCancellationRequested'] => ({ ...envelope(orderId), reason: 'changed my mind', stage: 'PENDING' })
const rows = async (table: string, where: Record<string, unknown>) => Number((await app.db(table).where(where).count<{ n: string }[]>({ n: '*' }))[0]?.n)

describe('hostile events', () => {
  it('dead-letters unreadable bytes, an unknown schema id and payments of an order it never reserved, ignores its cancellation, and goes on', async () => {
    const productId = await givenProduct(app.db, 5)
    const unknownOrder = randomUUID()
    const cancel = cancellation(unknownOrder)
    const payment = paymentCompleted(unknownOrder, { amount: 1000, currency: 'EUR' })
    const failure: Events['PaymentFailed'] = { ...envelope(unknownOrder), reason: 'forged', customerId: 'customer-1', amount: { amount: 1000, currency: 'EUR' }, modificationId: null }
    const marker = orderPlaced(randomUUID(), [{ productId, quantity: 1 }])

    await send('payment.events', encoded('PaymentCompleted', payment), encoded('PaymentFailed', failure))
    await send('order.events',
      { key: 'garbage', value: Buffer.from([0xde, 0xad, 0xbe, 0xef]) },
      // Confluent wire format: magic byte 0, then a schema id the registry never issued.
      { key: 'unknown-schema', value: Buffer.concat([Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0]), Buffer.from('payload')]) },
      encoded('OrderCancellationRequested', cancel),
      encoded('OrderPlaced', marker),
    )

    await eventually(async () => expect(await stockOf(app.db, productId)).toEqual({ available: 4, reserved: 1 }), { timeoutMs: 30_000 })
    await eventually(async () => expect((await readTopic(`${prefix}stock-service.dlt`)).length).toBe(4), { timeoutMs: 30_000 })
    const deadLetters = await readTopic(`${prefix}stock-service.dlt`)
    expect(deadLetters.map((m) => m.key).sort()).toEqual(['garbage', 'unknown-schema', unknownOrder, unknownOrder].sort())
    const refused = deadLetters.filter((m) => m.key === unknownOrder)
    expect(refused.map((m) => m.headers['dlt-error']?.replace(/ for order .*/, '')).sort()).toEqual(['RefusedEvent: PaymentCompleted', 'RefusedEvent: PaymentFailed'])
    for (const m of refused) expect(m.headers['dlt-reason']).toBe('refused: payment-of-unreserved-order')
    expect(await rows('inbox', { event_id: payment.eventId })).toBe(0)
    expect(await rows('inbox', { event_id: cancel.eventId })).toBe(1)
    expect(await reservationRow(app.db, unknownOrder)).toBeUndefined()
    expect(await rows('shipments', { order_id: unknownOrder })).toBe(0)
    expect(await rows('outbox', { aggregate_id: unknownOrder })).toBe(0)
  })

  it('holds the shipment of an order refunded for a release stock never made: refused and dead-lettered, its containment kept', async () => {
    const productId = await givenProduct(app.db, 5)
    const orderId = randomUUID()
    await send('order.events', encoded('OrderPlaced', orderPlaced(orderId, [{ productId, quantity: 3 }])))
    await eventually(async () => expect((await reservationRow(app.db, orderId))?.status).toBe('RESERVED'), { timeoutMs: 30_000 })
    // Payment covers a part, is then fooled by a forged StockReleased into refunding it as released,
    // then is paid the rest: what is paid no longer covers the reservation, so nothing ships.
    const refund: Events['PaymentRefunded'] = { ...envelope(orderId), paymentId: null, refundId: randomUUID(), customerId: 'customer-1', amount: { amount: 1000, currency: 'EUR' }, reason: 'released' }
    const rest = paymentCompleted(orderId, { amount: 2000, currency: 'EUR' })
    await send('payment.events', encoded('PaymentCompleted', paymentCompleted(orderId, { amount: 1000, currency: 'EUR' })), encoded('PaymentRefunded', refund), encoded('PaymentCompleted', rest))
    await eventually(async () => expect(await rows('inbox', { event_id: rest.eventId })).toBe(1), { timeoutMs: 30_000 })
    expect(await reservationRow(app.db, orderId)).toMatchObject({ status: 'RESERVED', paid_amount: '2000' })
    expect(await rows('shipments', { order_id: orderId })).toBe(0)
    expect(await rows('inbox', { event_id: refund.eventId })).toBe(1) // committed with its containment: a redelivery changes nothing
    const refused = (await readTopic(`${prefix}stock-service.dlt`)).filter((m) => m.key === orderId)
    expect(refused.map((m) => m.headers['dlt-reason'])).toEqual(['refused: refund-of-unreleased-reservation'])
  })

  it('a released order: its OrderPlaced replayed and a late payment reserve, ship and emit nothing', async () => {
    const productId = await givenProduct(app.db, 5)
    const orderId = randomUUID()
    const placed = encoded('OrderPlaced', orderPlaced(orderId, [{ productId, quantity: 2 }]))
    await send('order.events', placed, encoded('OrderCancellationRequested', cancellation(orderId)))
    await eventually(async () => expect((await reservationRow(app.db, orderId))?.status).toBe('RELEASED'), { timeoutMs: 30_000 })
    const before = { stock: await stockOf(app.db, productId), reservation: await reservationRow(app.db, orderId), outbox: await rows('outbox', { aggregate_id: orderId }) }
    expect(before.stock).toEqual({ available: 5, reserved: 0 })

    const markerProduct = await givenProduct(app.db, 1)
    const late = paymentCompleted(orderId, { amount: 2000, currency: 'EUR' })
    await send('payment.events', encoded('PaymentCompleted', late))
    await send('order.events', placed, encoded('OrderPlaced', orderPlaced(randomUUID(), [{ productId: markerProduct, quantity: 1 }])))

    await eventually(async () => expect((await stockOf(app.db, markerProduct)).reserved).toBe(1), { timeoutMs: 30_000 })
    await eventually(async () => expect(await rows('inbox', { event_id: late.eventId })).toBe(1), { timeoutMs: 30_000 })
    expect(await stockOf(app.db, productId)).toEqual(before.stock)
    expect(await reservationRow(app.db, orderId)).toEqual(before.reservation)
    expect(await rows('shipments', { order_id: orderId })).toBe(0)
    expect(await rows('outbox', { aggregate_id: orderId })).toBe(before.outbox)
  })
})
