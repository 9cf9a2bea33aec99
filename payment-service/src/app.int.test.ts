// payment-service built without the messaging plugin: the customers' routes answer through inject() with no broker behind it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mintToken } from '@choreo/platform'
import { createTestDatabase, serviceEnv, TEST_JWT_SECRET, type TestDatabase } from '@choreo/testkit'
import { build } from './app.ts'
import { readConfig } from './config.ts'

describe('payment-service without messaging', () => {
  let database: TestDatabase
  let app: Awaited<ReturnType<typeof build>>

  beforeAll(async () => {
    database = await createTestDatabase('payment-no-kafka')
    // Port 1 on loopback: nothing listens, so any use of a broker would fail.
    app = await build(readConfig(serviceEnv(database.url, 'no-kafka', { KAFKA_BROKERS: '127.0.0.1:1' })), { messaging: false })
    await app.ready()
  })
  afterAll(async () => {
    await app?.close()
    await database?.drop()
  })

  it('opens a customer account and reads its balance back', async () => {
    expect(app.hasPlugin('messaging')).toBe(false)
    const created = await app.inject({
      method: 'POST', url: '/customers', headers: { authorization: `Bearer ${mintToken({ sub: 'ops', role: 'admin' }, TEST_JWT_SECRET)}` },
      payload: { customerId: 'ada', name: 'Ada', balance: { amount: 5000, currency: 'EUR' } },
    })
    expect(created.statusCode).toBe(201)
    const read = await app.inject({ method: 'GET', url: '/customers/ada', headers: { authorization: `Bearer ${mintToken({ sub: 'ada', role: 'customer' }, TEST_JWT_SECRET)}` } })
    expect(read.statusCode).toBe(200)
    expect(read.json()).toEqual({ customerId: 'ada', name: 'Ada', balance: { amount: 5000, currency: 'EUR' } })
  })
})
