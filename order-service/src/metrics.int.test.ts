import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import client from 'prom-client'
import { startServiceApp } from '@choreo/testkit'
import type { OrderStatus } from './domain/status.ts'
import { registerOrderMetrics } from './metrics.ts'
import { orderUnderTest, useOrderDatabase } from './testing/harness.ts'

const ADDRESS = JSON.stringify({ name: 'Ada', line1: '1 Loop Road', city: 'Delft', postalCode: '2611', country: 'NL' })

/** The value of one sample in Prometheus' text format, 0 when absent. */
function sample(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels))
  return line ? Number(line.split(' ').at(-1)) : 0
}

describe('order-service metrics', () => {
  const database = useOrderDatabase('metrics')
  const now = Date.now()

  /** An order with its history: each step `[status, seconds after placing]`. */
  async function order(steps: [OrderStatus, number][], placedAt = now - 60_000): Promise<string> {
    const orderId = randomUUID()
    const last = steps.at(-1)!
    await database.db('orders').insert({
      order_id: orderId, customer_id: 'ada', status: last[0], currency: 'EUR', shipping_address: ADDRESS,
      created_at: new Date(placedAt), updated_at: new Date(placedAt + last[1] * 1000),
    })
    await database.db('order_history').insert(steps.map(([status, s], i) => ({
      order_id: orderId, status, event: i === 0 ? 'OrderPlaced' : 'Step', at: new Date(placedAt + s * 1000),
    })))
    return orderId
  }

  it('count orders by status and time each saga from its placing to its final status, once', async () => {
    await order([['PENDING', 0], ['STOCK_RESERVED', 0.2], ['PAID', 0.4], ['SHIPPED', 0.6], ['DELIVERED', 3]])
    await order([['PENDING', 0], ['REJECTED', 0.5]])
    await order([['PENDING', 0], ['CANCELLING', 1], ['CANCELLED', 2], ['CANCELLED', 40]]) // a late event after the end
    await order([['PENDING', 0]])
    // Final too recently to be read yet (a minute ahead, so a slow machine cannot let it settle meanwhile).
    const settling = await order([['PENDING', 0], ['REJECTED', 0.1]], Date.now() + 60_000)
    const registry = new client.Registry()
    registerOrderMetrics(registry, database.db)

    const first = await registry.metrics()
    expect(['PENDING', 'STOCK_RESERVED', 'PAID', 'SHIPPED', 'DELIVERED', 'REJECTED', 'CANCELLING', 'CANCELLED'].map((s) => sample(first, 'orders_by_status', `status="${s}"`)))
      .toEqual([1, 0, 0, 0, 1, 2, 0, 1])
    expect(sample(first, 'saga_duration_seconds_count', 'outcome="DELIVERED"')).toBe(1)
    expect(sample(first, 'saga_duration_seconds_sum', 'outcome="DELIVERED"')).toBeCloseTo(3)
    expect(sample(first, 'saga_duration_seconds_count', 'outcome="CANCELLED"')).toBe(1)
    expect(sample(first, 'saga_duration_seconds_sum', 'outcome="CANCELLED"')).toBeCloseTo(2)
    expect(sample(first, 'saga_duration_seconds_count', 'outcome="REJECTED"')).toBe(1)
    expect(sample(first, 'saga_duration_seconds_bucket', 'le="0.5",outcome="REJECTED"')).toBe(1)

    // Once settled, the recent one counts; nothing is counted twice however often Prometheus scrapes.
    await database.db('order_history').where({ order_id: settling }).update({ at: database.db.raw("at - interval '2 minutes'") })
    await registry.metrics()
    const third = await registry.metrics()
    expect(sample(third, 'saga_duration_seconds_count', 'outcome="REJECTED"')).toBe(2)
    expect(sample(third, 'saga_duration_seconds_count', 'outcome="DELIVERED"')).toBe(1)
    expect(sample(third, 'saga_duration_seconds_count', 'outcome="CANCELLED"')).toBe(1)
  })

  it('are served at GET /metrics next to the messaging metrics', async () => {
    const { app, close } = await startServiceApp(orderUnderTest, 'metrics', {}, { on: { database } })
    try {
      const res = await app.inject({ method: 'GET', url: '/metrics' })
      expect(res.statusCode).toBe(200)
      expect(sample(res.body, 'orders_by_status', 'status="DELIVERED"')).toBe(1)
      expect(sample(res.body, 'saga_duration_seconds_count', 'service="order-service",outcome="DELIVERED"')).toBe(1)
      expect(res.body).toContain('outbox_backlog_rows')
    } finally {
      await close()
    }
  })
})
