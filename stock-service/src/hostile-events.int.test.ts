import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventType, Events } from '@choreo/contracts'
import { eventually, hostileSender, readTopic, UNKNOWN_SCHEMA_MESSAGE, type ForgedMessage, type HostileSender } from '@choreo/testkit'
import { envelope, givenProduct, orderPlaced, paymentCompleted, reservationRow, stockOf, useStockApp } from './testing/harness.ts'

// Hostile messages through Kafka to the running consumer: what cannot be read goes to the
// dead-letter topic, a payment of an order stock-service never reserved is refused (dead-lettered
// with its rule), a cancellation of one is a documented no-op, a replay changes nothing, and the
// consumer goes on to the next message. Messages of a
// test go to partition 0 of a topic, so the last one proves the ones before it were passed.

const h = useStockApp('hostile')
let forger: HostileSender

beforeAll(async () => {
  // Each topic written by its owner's principal: the broker lets these through, the consumer must judge them.
  forger = await hostileSender(h.prefix, ['OrderPlaced', 'OrderCancellationRequested', 'PaymentCompleted', 'PaymentFailed', 'PaymentRefunded'], ['order.events', 'payment.events'])
})

afterAll(async () => {
  await forger?.close()
})

const encoded = (type: EventType, event: { orderId: string }): ForgedMessage => forger.encoded(type, event)
const send = (topic: 'order.events' | 'payment.events', ...messages: ForgedMessage[]) => forger.send(topic, ...messages)
const cancellation = (orderId: string): Events['OrderCancellationRequested'] => ({ ...envelope(orderId), reason: 'changed my mind', stage: 'PENDING' })
const rows = async (table: string, where: Record<string, unknown>) => Number((await h.app.db(table).where(where).count<{ n: string }[]>({ n: '*' }))[0]?.n)

describe('hostile events', () => {
  it('dead-letters unreadable bytes, an unknown schema id and payments of an order it never reserved, ignores its cancellation, and goes on', async () => {
    const productId = await givenProduct(h.app.db, 5)
    const unknownOrder = randomUUID()
    const cancel = cancellation(unknownOrder)
    const payment = paymentCompleted(unknownOrder, { amount: 1000, currency: 'EUR' })
    const failure: Events['PaymentFailed'] = { ...envelope(unknownOrder), reason: 'forged', customerId: 'customer-1', amount: { amount: 1000, currency: 'EUR' }, modificationId: null }
    const marker = orderPlaced(randomUUID(), [{ productId, quantity: 1 }])

    await send('payment.events', encoded('PaymentCompleted', payment), encoded('PaymentFailed', failure))
    await send('order.events',
      { key: 'garbage', value: Buffer.from([0xde, 0xad, 0xbe, 0xef]) },
      UNKNOWN_SCHEMA_MESSAGE,
      encoded('OrderCancellationRequested', cancel),
      encoded('OrderPlaced', marker),
    )

    await eventually(async () => expect(await stockOf(h.app.db, productId)).toEqual({ available: 4, reserved: 1 }), { timeoutMs: 30_000 })
    await eventually(async () => expect((await readTopic(`${h.prefix}stock-service.dlt`)).length).toBe(4), { timeoutMs: 30_000 })
    const deadLetters = await readTopic(`${h.prefix}stock-service.dlt`)
    expect(deadLetters.map((m) => m.key).sort()).toEqual(['garbage', 'unknown-schema', unknownOrder, unknownOrder].sort())
    const refused = deadLetters.filter((m) => m.key === unknownOrder)
    expect(refused.map((m) => m.headers['dlt-error']?.replace(/ for order .*/, '')).sort()).toEqual(['RefusedEvent: PaymentCompleted', 'RefusedEvent: PaymentFailed'])
    for (const m of refused) expect(m.headers['dlt-reason']).toBe('refused: payment-of-unreserved-order')
    expect(await rows('inbox', { event_id: payment.eventId })).toBe(0)
    expect(await rows('inbox', { event_id: cancel.eventId })).toBe(1)
    expect(await reservationRow(h.app.db, unknownOrder)).toBeUndefined()
    expect(await rows('shipments', { order_id: unknownOrder })).toBe(0)
    expect(await rows('outbox', { aggregate_id: unknownOrder })).toBe(0)
  })

  it('holds the shipment of an order refunded for a release stock never made: refused and dead-lettered, its containment kept', async () => {
    const productId = await givenProduct(h.app.db, 5)
    const orderId = randomUUID()
    await send('order.events', encoded('OrderPlaced', orderPlaced(orderId, [{ productId, quantity: 3 }])))
    await eventually(async () => expect((await reservationRow(h.app.db, orderId))?.status).toBe('RESERVED'), { timeoutMs: 30_000 })
    // Payment covers a part, is then fooled by a forged StockReleased into refunding it as released,
    // then is paid the rest: what is paid no longer covers the reservation, so nothing ships.
    const refund: Events['PaymentRefunded'] = { ...envelope(orderId), paymentId: null, refundId: randomUUID(), customerId: 'customer-1', amount: { amount: 1000, currency: 'EUR' }, reason: 'released' }
    const rest = paymentCompleted(orderId, { amount: 2000, currency: 'EUR' })
    await send('payment.events', encoded('PaymentCompleted', paymentCompleted(orderId, { amount: 1000, currency: 'EUR' })), encoded('PaymentRefunded', refund), encoded('PaymentCompleted', rest))
    await eventually(async () => expect(await rows('inbox', { event_id: rest.eventId })).toBe(1), { timeoutMs: 30_000 })
    expect(await reservationRow(h.app.db, orderId)).toMatchObject({ status: 'RESERVED', paid_amount: '2000' })
    expect(await rows('shipments', { order_id: orderId })).toBe(0)
    expect(await rows('inbox', { event_id: refund.eventId })).toBe(1) // committed with its containment: a redelivery changes nothing
    const refused = (await readTopic(`${h.prefix}stock-service.dlt`)).filter((m) => m.key === orderId)
    expect(refused.map((m) => m.headers['dlt-reason'])).toEqual(['refused: refund-of-unreleased-reservation'])
  })

  it('a released order: its OrderPlaced replayed and a late payment reserve, ship and emit nothing', async () => {
    const productId = await givenProduct(h.app.db, 5)
    const orderId = randomUUID()
    const placed = encoded('OrderPlaced', orderPlaced(orderId, [{ productId, quantity: 2 }]))
    await send('order.events', placed, encoded('OrderCancellationRequested', cancellation(orderId)))
    await eventually(async () => expect((await reservationRow(h.app.db, orderId))?.status).toBe('RELEASED'), { timeoutMs: 30_000 })
    const before = { stock: await stockOf(h.app.db, productId), reservation: await reservationRow(h.app.db, orderId), outbox: await rows('outbox', { aggregate_id: orderId }) }
    expect(before.stock).toEqual({ available: 5, reserved: 0 })

    const markerProduct = await givenProduct(h.app.db, 1)
    const late = paymentCompleted(orderId, { amount: 2000, currency: 'EUR' })
    await send('payment.events', encoded('PaymentCompleted', late))
    await send('order.events', placed, encoded('OrderPlaced', orderPlaced(randomUUID(), [{ productId: markerProduct, quantity: 1 }])))

    await eventually(async () => expect((await stockOf(h.app.db, markerProduct)).reserved).toBe(1), { timeoutMs: 30_000 })
    await eventually(async () => expect(await rows('inbox', { event_id: late.eventId })).toBe(1), { timeoutMs: 30_000 })
    expect(await stockOf(h.app.db, productId)).toEqual(before.stock)
    expect(await reservationRow(h.app.db, orderId)).toEqual(before.reservation)
    expect(await rows('shipments', { order_id: orderId })).toBe(0)
    expect(await rows('outbox', { aggregate_id: orderId })).toBe(before.outbox)
  })
})
