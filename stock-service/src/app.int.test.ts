// stock-service built without the messaging plugin: the catalogue's routes answer through inject() with no broker behind it.
import { describe, expect, it } from 'vitest'
import { bearerAs } from '@choreo/testkit'
import { useStockApp } from './testing/harness.ts'

describe('stock-service without messaging', () => {
  // Its broker address is one nothing listens on: any use of Kafka would fail.
  const h = useStockApp('no-kafka', {}, { messaging: false })

  it('adds a product to the catalogue and reads it back', async () => {
    expect(h.app.hasPlugin('messaging')).toBe(false)
    const admin = bearerAs('ops', 'admin')
    const created = await h.app.inject({
      method: 'POST', url: '/products', headers: admin,
      payload: { productId: 'apple', name: 'Apple', price: { amount: 120, currency: 'EUR' }, quantity: 5 },
    })
    expect(created.statusCode).toBe(201)
    const read = await h.app.inject({ method: 'GET', url: '/products/apple', headers: admin })
    expect(read.statusCode).toBe(200)
    expect(read.json()).toMatchObject({ productId: 'apple', available: 5 })
  })
})
