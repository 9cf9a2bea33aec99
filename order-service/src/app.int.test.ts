// order-service built without the messaging plugin: POST /orders answers through inject() with no broker behind it.
import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { bearerAs } from '@choreo/testkit'
import { useOrderApp } from './testing/harness.ts'

describe('order-service without messaging', () => {
  // Its broker address is one nothing listens on: any use of Kafka would fail.
  const h = useOrderApp('no-kafka', {}, { messaging: false })

  it('places an order into the outbox, which nothing relays', async () => {
    expect(h.app.hasPlugin('messaging')).toBe(false)
    const res = await h.app.inject({
      method: 'POST', url: '/orders',
      headers: { ...bearerAs('cust-1'), 'idempotency-key': randomUUID() },
      payload: {
        customerId: 'cust-1', items: [{ productId: 'apple', quantity: 2 }],
        shippingAddress: { name: 'Ada', line1: '1 Loop Road', city: 'Delft', postalCode: '2611', country: 'NL' },
      },
    })
    expect(res.statusCode).toBe(201)
    const { orderId, status } = res.json<{ orderId: string; status: string }>()
    expect(status).toBe('PENDING')
    const rows = await h.database.db('outbox').where({ aggregate_id: orderId }).select('event_type', 'published_at')
    expect(rows).toEqual([{ event_type: 'OrderPlaced', published_at: null }])
  })
})
