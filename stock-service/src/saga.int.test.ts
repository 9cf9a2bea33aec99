import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createEventCodec } from '@choreo/messaging'
import { eventually, infra, readTopic, testKafka } from '@choreo/testkit'
import { givenProduct, orderPlaced, stockOf, useStockApp } from './testing/harness.ts'

const h = useStockApp('saga')

describe('the saga table, wired to Kafka', () => {
  it('reacts to an OrderPlaced on order.events with a StockReserved on stock.events, caused by it', async () => {
    const productId = await givenProduct(h.app.db, 4, { amount: 800, currency: 'EUR' })
    const placed = orderPlaced(randomUUID(), [{ productId, quantity: 3 }])
    const codec = createEventCodec({ registryUrl: infra().registryUrl })
    await codec.register(['OrderPlaced', 'StockReserved'])
    const producer = testKafka().producer()
    await producer.connect()
    await producer.send({ topic: `${h.prefix}order.events`, acks: -1, messages: [{ key: placed.orderId, value: codec.encode('OrderPlaced', placed) }] })
    await producer.disconnect()

    const message = await eventually(async () => {
      const found = (await readTopic(`${h.prefix}stock.events`)).find((m) => m.key === placed.orderId)
      if (!found?.value) throw new Error('no StockReserved on stock.events yet')
      return found
    }, { timeoutMs: 25_000, intervalMs: 500 })
    const decoded = await codec.decode(message.value!)
    expect(decoded.type).toBe('StockReserved')
    expect(decoded.payload).toMatchObject({ orderId: placed.orderId, causationId: placed.eventId, correlationId: placed.correlationId, total: { amount: 2400, currency: 'EUR' } })
    expect(await stockOf(h.app.db, productId)).toEqual({ available: 1, reserved: 3 })
  })
})
