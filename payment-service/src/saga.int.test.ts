import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { prefixed, topicOf, type Events, type EventType } from '@choreo/contracts'
import { eventually, readTopic, testKafka } from '@choreo/testkit'
import { balanceOf, eur, newCustomer, orderPlaced, usePaymentApp, stockReleased, stockReserved } from './testing/harness.ts'

// The saga table wired to Kafka: events order-service and stock-service publish come in through
// the consumers, and what payment-service answers goes out through the outbox and relay.
describe('payment-service in the saga', () => {
  const h = usePaymentApp('saga')

  async function publish<T extends EventType>(type: T, event: Events[T]): Promise<void> {
    const { codec } = h.app.messaging
    await codec.register([type])
    const producer = testKafka().producer()
    await producer.connect()
    await producer.send({ topic: prefixed(h.prefix, topicOf(type)), acks: -1, messages: [{ key: event.orderId, value: codec.encode(type, event) }] })
    await producer.disconnect()
  }

  it('charges on StockReserved of an order placed and refunds on StockReleased, publishing one answer to each', async () => {
    const db = h.app.db
    const customerId = await newCustomer(db, eur(10_000))
    const orderId = randomUUID()

    await publish('OrderPlaced', orderPlaced(orderId, customerId))
    await publish('StockReserved', stockReserved(orderId, customerId, eur(4_000)))
    await eventually(async () => expect(await balanceOf(db, customerId)).toBe(6_000))
    await publish('StockReleased', stockReleased(orderId))
    await eventually(async () => expect(await balanceOf(db, customerId)).toBe(10_000))
    await eventually(async () => {
      const unpublished = await db('outbox').whereNull('published_at').count({ n: '*' }).first() as { n: string }
      expect(Number(unpublished.n)).toBe(0)
    })

    const messages = await readTopic(prefixed(h.prefix, topicOf('PaymentCompleted')))
    const decoded = await Promise.all(messages.map(async (m) => ({ key: m.key, ...(await h.app.messaging.codec.decode(m.value!)) })))
    expect(decoded.map((d) => [d.key, d.type])).toEqual([[orderId, 'PaymentCompleted'], [orderId, 'PaymentRefunded']])
    expect(decoded[1]?.payload).toMatchObject({ orderId, customerId, amount: eur(4_000), reason: 'released' })
  })
})
