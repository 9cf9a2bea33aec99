import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { mintToken } from '@choreo/platform'
import { createTestDatabase, createTestTopics, serviceEnv, TEST_JWT_SECRET, type TestDatabase } from '@choreo/testkit'
import { build } from '../../app.ts'
import { readConfig } from '../../config.ts'

// ORDER_RATE_LIMIT_PER_MINUTE caps order placement per customer (the token's subject).

const LIMIT = 3
let app: Awaited<ReturnType<typeof build>>
let database: TestDatabase

beforeAll(async () => {
  database = await createTestDatabase('order-rate-limit')
  const prefix = await createTestTopics('order-rate-limit')
  app = await build(readConfig(serviceEnv(database.url, prefix, { ORDER_RATE_LIMIT_PER_MINUTE: String(LIMIT) })))
  await app.ready()
})

afterAll(async () => {
  await app?.close()
  await database?.drop()
})

const address = { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' }
const place = (customerId: string) => app.inject({
  method: 'POST', url: '/orders',
  headers: { authorization: `Bearer ${mintToken({ sub: customerId, role: 'customer' }, TEST_JWT_SECRET)}`, 'idempotency-key': randomUUID() },
  payload: { customerId, items: [{ productId: 'apple', quantity: 1 }], shippingAddress: address },
})
const ordersOf = async (customerId: string) => (await database.db('orders').where({ customer_id: customerId })).length

it(`lets a customer place ${LIMIT} orders a minute, then answers 429 with Retry-After and places nothing`, async () => {
  const placed = []
  for (let i = 0; i < LIMIT; i++) placed.push((await place('ada')).statusCode)
  expect(placed).toEqual(Array(LIMIT).fill(201))

  const outboxBefore = Number((await database.db('outbox').count<{ n: string }[]>({ n: '*' }))[0]?.n)
  const refused = await place('ada')
  expect(refused.statusCode).toBe(429)
  expect(refused.json()).toEqual({ error: 'rate_limited', message: expect.any(String), rule: 'rate-limit' })
  expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
  expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60)
  expect(await ordersOf('ada')).toBe(LIMIT)
  expect(Number((await database.db('outbox').count<{ n: string }[]>({ n: '*' }))[0]?.n)).toBe(outboxBefore)
})

it('counts each customer on their own', async () => {
  expect((await place('grace')).statusCode).toBe(201)
  expect(await ordersOf('grace')).toBe(1)
})

it('limits placing only: reading goes on', async () => {
  const res = await app.inject({ url: '/orders', headers: { authorization: `Bearer ${mintToken({ sub: 'ada', role: 'customer' }, TEST_JWT_SECRET)}` } })
  expect(res.statusCode).toBe(200)
})
