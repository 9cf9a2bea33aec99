import { randomUUID } from 'node:crypto'
import { expect, it } from 'vitest'
import { bearerAs } from '@choreo/testkit'
import { useOrderApp } from '../../testing/harness.ts'

// ORDER_RATE_LIMIT_PER_MINUTE caps order placement per customer (the token's subject).

const LIMIT = 3
const h = useOrderApp('rate-limit', { ORDER_RATE_LIMIT_PER_MINUTE: String(LIMIT) })

const address = { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' }
const place = (customerId: string) => h.app.inject({
  method: 'POST', url: '/orders',
  headers: { ...bearerAs(customerId), 'idempotency-key': randomUUID() },
  payload: { customerId, items: [{ productId: 'apple', quantity: 1 }], shippingAddress: address },
})
const ordersOf = async (customerId: string) => (await h.database.db('orders').where({ customer_id: customerId })).length

it(`lets a customer place ${LIMIT} orders a minute, then answers 429 with Retry-After and places nothing`, async () => {
  const placed = []
  for (let i = 0; i < LIMIT; i++) placed.push((await place('ada')).statusCode)
  expect(placed).toEqual(Array(LIMIT).fill(201))

  const outboxBefore = Number((await h.database.db('outbox').count<{ n: string }[]>({ n: '*' }))[0]?.n)
  const refused = await place('ada')
  expect(refused.statusCode).toBe(429)
  expect(refused.json()).toEqual({ error: 'rate_limited', message: expect.any(String), rule: 'rate-limit' })
  expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
  expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60)
  expect(await ordersOf('ada')).toBe(LIMIT)
  expect(Number((await h.database.db('outbox').count<{ n: string }[]>({ n: '*' }))[0]?.n)).toBe(outboxBefore)
})

it('counts each customer on their own', async () => {
  expect((await place('grace')).statusCode).toBe(201)
  expect(await ordersOf('grace')).toBe(1)
})

it('limits placing only: reading goes on', async () => {
  const res = await h.app.inject({ url: '/orders', headers: bearerAs('ada') })
  expect(res.statusCode).toBe(200)
})
