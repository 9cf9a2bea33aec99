// stock-service built without the messaging plugin: the catalogue's routes answer through inject() with no broker behind it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mintToken } from '@choreo/platform'
import { createTestDatabase, serviceEnv, TEST_JWT_SECRET, type TestDatabase } from '@choreo/testkit'
import { build } from './app.ts'
import { readConfig } from './config.ts'

describe('stock-service without messaging', () => {
  let database: TestDatabase
  let app: Awaited<ReturnType<typeof build>>

  beforeAll(async () => {
    database = await createTestDatabase('stock-no-kafka')
    // Port 1 on loopback: nothing listens, so any use of a broker would fail.
    app = await build(readConfig(serviceEnv(database.url, 'no-kafka', { KAFKA_BROKERS: '127.0.0.1:1' })), { messaging: false })
    await app.ready()
  })
  afterAll(async () => {
    await app?.close()
    await database?.drop()
  })

  it('adds a product to the catalogue and reads it back', async () => {
    expect(app.hasPlugin('messaging')).toBe(false)
    const authorization = `Bearer ${mintToken({ sub: 'ops', role: 'admin' }, TEST_JWT_SECRET)}`
    const created = await app.inject({
      method: 'POST', url: '/products', headers: { authorization },
      payload: { productId: 'apple', name: 'Apple', price: { amount: 120, currency: 'EUR' }, quantity: 5 },
    })
    expect(created.statusCode).toBe(201)
    const read = await app.inject({ method: 'GET', url: '/products/apple', headers: { authorization } })
    expect(read.statusCode).toBe(200)
    expect(read.json()).toMatchObject({ productId: 'apple', available: 5 })
  })
})
