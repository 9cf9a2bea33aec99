// order-service built without the messaging plugin: POST /orders answers through inject() with no broker behind it.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mintToken } from '@choreo/platform'
import { createTestDatabase, serviceEnv, TEST_JWT_SECRET, type TestDatabase } from '@choreo/testkit'
import { build } from './app.ts'
import { readConfig } from './config.ts'

describe('order-service without messaging', () => {
  let database: TestDatabase
  let app: Awaited<ReturnType<typeof build>>

  beforeAll(async () => {
    database = await createTestDatabase('order-no-kafka')
    // Port 1 on loopback: nothing listens, so any use of a broker would fail.
    app = await build(readConfig(serviceEnv(database.url, 'no-kafka', { KAFKA_BROKERS: '127.0.0.1:1' })), { messaging: false })
    await app.ready()
  })
  afterAll(async () => {
    await app?.close()
    await database?.drop()
  })

  it('places an order into the outbox, which nothing relays', async () => {
    expect(app.hasPlugin('messaging')).toBe(false)
    const res = await app.inject({
      method: 'POST', url: '/orders',
      headers: { authorization: `Bearer ${mintToken({ sub: 'cust-1', role: 'customer' }, TEST_JWT_SECRET)}`, 'idempotency-key': randomUUID() },
      payload: {
        customerId: 'cust-1', items: [{ productId: 'apple', quantity: 2 }],
        shippingAddress: { name: 'Ada', line1: '1 Loop Road', city: 'Delft', postalCode: '2611', country: 'NL' },
      },
    })
    expect(res.statusCode).toBe(201)
    const { orderId, status } = res.json<{ orderId: string; status: string }>()
    expect(status).toBe('PENDING')
    const rows = await database.db('outbox').where({ aggregate_id: orderId }).select('event_type', 'published_at')
    expect(rows).toEqual([{ event_type: 'OrderPlaced', published_at: null }])
  })
})
