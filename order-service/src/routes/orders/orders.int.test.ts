import { randomBytes, randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { createEventCodec } from '@choreo/messaging'
import { mintToken } from '@choreo/platform'
import { bearer, bearerAs, eventually, infra, readTopic, testKafka, TEST_JWT_SECRET } from '@choreo/testkit'
import type { OrderStatus } from '../../domain/status.ts'
import { scopedKey } from '../../repositories/idempotency-keys.ts'
import { updateOrder } from '../../repositories/orders.ts'
import { useOrderApp } from '../../testing/harness.ts'

// The HTTP API against real PostgreSQL, Kafka and registry: status codes and bodies, and what
// each request leaves behind in the orders tables and the outbox (or, refused, does not); who
// may do what. The rate limit has a file of its own (rate-limit.int.test.ts).

// Many orders of one customer here: the rate limit is not what this file tests.
const h = useOrderApp('http', { ORDER_RATE_LIMIT_PER_MINUTE: '100000' })

const address = { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' }
const newCustomer = () => `cust-${randomBytes(4).toString('hex')}`

type Headers = Record<string, string>
const admin = bearerAs('ops', 'admin')

function orderBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { customerId: 'cust-1', items: [{ productId: 'apple', quantity: 2 }, { productId: 'pear', quantity: 1 }], shippingAddress: address, ...overrides }
}

/** Places as the customer the body names (as cust-1 when it names none that could be a token's subject). */
function place(payload: unknown, key: string | null = randomUUID(), headers: Headers = {}) {
  const named = (payload as { customerId?: unknown } | null)?.customerId
  const as = typeof named === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(named) ? named : 'cust-1'
  return h.app.inject({ method: 'POST', url: '/orders', headers: { ...bearerAs(as), ...(key === null ? {} : { 'idempotency-key': key }), ...headers }, payload: payload as string })
}

const get = (url: string, headers: Headers = admin) => h.app.inject({ method: 'GET', url, headers })

async function placed(overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await place(orderBody(overrides))
  expect(res.statusCode).toBe(201)
  return res.json<{ orderId: string }>().orderId
}

interface OutboxRow { event_type: string; topic: string; payload: Record<string, unknown>; headers: Record<string, string> }

function outboxOf(orderId: string): Promise<OutboxRow[]> {
  return h.database.db('outbox').where({ aggregate_id: orderId }).orderBy('id').select<OutboxRow[]>('event_type', 'topic', 'payload', 'headers')
}

async function rowCounts() {
  const count = async (table: string) => Number((await h.database.db(table).count<{ n: string }[]>({ n: '*' }))[0]?.n)
  return { orders: await count('orders'), lines: await count('order_lines'), history: await count('order_history'), keys: await count('idempotency_keys'), outbox: await count('outbox') }
}

describe('POST /orders', () => {
  it('places a PENDING order: 201, Location, the order, and OrderPlaced in the outbox with trace context', async () => {
    const traceId = randomBytes(16).toString('hex')
    const traceparent = `00-${traceId}-${randomBytes(8).toString('hex')}-01`
    const res = await place(orderBody({ currency: 'GBP' }), randomUUID(), { traceparent, 'x-request-id': 'req-place-1' })

    expect(res.statusCode).toBe(201)
    const order = res.json<{ orderId: string }>()
    expect(res.headers.location).toBe(`/orders/${order.orderId}`)
    expect(order).toEqual({
      orderId: expect.stringMatching(/^[0-9a-f-]{36}$/), customerId: 'cust-1', status: 'PENDING',
      items: [{ productId: 'apple', quantity: 2, unitPrice: null }, { productId: 'pear', quantity: 1, unitPrice: null }],
      total: null, shipment: null, reason: null,
      history: [{ status: 'PENDING', event: 'OrderPlaced', at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }],
    })

    const [row, ...more] = await outboxOf(order.orderId)
    expect(more).toEqual([])
    expect(row).toMatchObject({ event_type: 'OrderPlaced', topic: `${h.prefix}order.events` })
    expect(row?.payload).toEqual({
      eventId: expect.any(String), correlationId: 'req-place-1', causationId: null, occurredAt: expect.any(Number),
      orderId: order.orderId, customerId: 'cust-1', currency: 'GBP', shippingAddress: address,
      items: [{ productId: 'apple', quantity: 2 }, { productId: 'pear', quantity: 1 }],
    })
    expect(row?.headers).toEqual({
      'event-id': row?.payload.eventId, 'event-type': 'OrderPlaced', 'correlation-id': 'req-place-1',
      traceparent: expect.stringMatching(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`)),
    })
    expect(row?.headers.traceparent).not.toBe(traceparent)

    // The relay publishes it, keyed by the order, with the same headers.
    const message = await eventually(async () => {
      const found = (await readTopic(`${h.prefix}order.events`)).find((m) => m.key === order.orderId)
      expect(found).toBeDefined()
      return found
    })
    expect(message?.headers).toMatchObject({ 'event-type': 'OrderPlaced', traceparent: row?.headers.traceparent })
  })

  it('defaults the currency to EUR', async () => {
    const orderId = await placed()
    expect((await outboxOf(orderId))[0]?.payload.currency).toBe('EUR')
  })

  it('answers with the order exactly as GET shows it, lines in the database\'s order', async () => {
    const res = await place(orderBody({ items: [{ productId: 'pear', quantity: 1 }, { productId: 'apple', quantity: 2 }, { productId: 'Banana', quantity: 1 }] }))
    expect(res.statusCode).toBe(201)
    expect((await get(res.headers.location as string)).json()).toEqual(res.json())
  })

  describe('idempotency', () => {
    it('the same key and body return the same order, written once (key order in the JSON does not matter)', async () => {
      const customerId = newCustomer()
      const key = randomUUID()
      const first = await place(orderBody({ customerId }), key)
      const { shippingAddress, items } = orderBody() as { shippingAddress: typeof address; items: unknown }
      const again = await place({ shippingAddress: { ...shippingAddress }, items, customerId }, key)
      expect(first.statusCode).toBe(201)
      expect(again.statusCode).toBe(201)
      expect(again.json()).toEqual(first.json())
      expect(again.headers.location).toBe(first.headers.location)
      expect(await h.database.db('orders').where({ customer_id: customerId })).toHaveLength(1)
      expect(await outboxOf(first.json<{ orderId: string }>().orderId)).toHaveLength(1)
    })

    it('the same key with a different body is refused with 422 and writes nothing', async () => {
      const key = randomUUID()
      await place(orderBody(), key)
      const before = await rowCounts()
      const res = await place(orderBody({ items: [{ productId: 'apple', quantity: 3 }] }), key)
      expect(res.statusCode).toBe(422)
      expect(res.json()).toMatchObject({ field: 'Idempotency-Key', rule: 'idempotency-key-reuse' })
      expect(await rowCounts()).toEqual(before)
    })

    it('a key is its customer\'s: another customer\'s identical key places their own order, and neither learns of the other', async () => {
      const [ada, grace] = [newCustomer(), newCustomer()]
      const key = randomUUID()
      const first = await place(orderBody({ customerId: ada }), key)
      // The same key with another body: not a reuse (422), since it is grace's key, not ada's.
      const squatted = await place(orderBody({ customerId: grace, items: [{ productId: 'apple', quantity: 9 }] }), key)
      const retry = await place(orderBody({ customerId: ada }), key)
      expect([first.statusCode, squatted.statusCode, retry.statusCode]).toEqual([201, 201, 201])
      expect(squatted.json<{ orderId: string }>().orderId).not.toBe(first.json<{ orderId: string }>().orderId)
      expect(retry.json()).toEqual(first.json())
      expect(await h.database.db('orders').where({ customer_id: grace })).toHaveLength(1)
    })

    it('an admin placing for a customer uses that customer\'s keys: the customer\'s retry of it replays', async () => {
      const customerId = newCustomer()
      const key = randomUUID()
      const byAdmin = await place(orderBody({ customerId }), key, admin)
      const byCustomer = await place(orderBody({ customerId }), key)
      expect([byAdmin.statusCode, byCustomer.statusCode]).toEqual([201, 201])
      expect(byCustomer.json()).toEqual(byAdmin.json())
      expect(await h.database.db('orders').where({ customer_id: customerId })).toHaveLength(1)
    })

    it('a key written before keys were scoped still replays for its own customer, and only for them', async () => {
      const [ada, grace] = [newCustomer(), newCustomer()]
      const key = randomUUID()
      const first = await place(orderBody({ customerId: ada }), key)
      const orderId = first.json<{ orderId: string }>().orderId
      // As an earlier release wrote it: the raw key.
      await h.database.db('idempotency_keys').where({ key: scopedKey(ada, key) }).update({ key })
      const retry = await place(orderBody({ customerId: ada }), key)
      const other = await place(orderBody({ customerId: grace }), key)
      expect(retry.json<{ orderId: string }>().orderId).toBe(orderId)
      expect(other.statusCode).toBe(201)
      expect(other.json<{ orderId: string }>().orderId).not.toBe(orderId)
      expect(await h.database.db('orders').where({ customer_id: ada })).toHaveLength(1)
    })

    it('concurrent requests with the same key place one order', async () => {
      const customerId = newCustomer()
      const key = randomUUID()
      const results = await Promise.all(Array.from({ length: 4 }, () => place(orderBody({ customerId }), key)))
      expect(results.map((r) => r.statusCode)).toEqual([201, 201, 201, 201])
      expect(new Set(results.map((r) => r.json<{ orderId: string }>().orderId)).size).toBe(1)
      expect(await h.database.db('orders').where({ customer_id: customerId })).toHaveLength(1)
      expect(await outboxOf(results[0]!.json<{ orderId: string }>().orderId)).toHaveLength(1)
    })
  })

  describe('refuses bad input with 400 naming the field and rule, and writes nothing', () => {
    const items51 = Array.from({ length: 51 }, (_, i) => ({ productId: `p${i}`, quantity: 1 }))
    it.each([
      ['a missing Idempotency-Key', orderBody(), null, { field: 'Idempotency-Key', rule: 'required' }],
      ['an Idempotency-Key over 128 characters', orderBody(), 'k'.repeat(129), { field: 'Idempotency-Key', rule: 'maxLength' }],
      ['an unknown field', orderBody({ coupon: 'FREE' }), undefined, { field: 'coupon', rule: 'additionalProperties' }],
      ['an unknown address field', orderBody({ shippingAddress: { ...address, line2: 'x' } }), undefined, { field: 'shippingAddress.line2', rule: 'additionalProperties' }],
      ['quantity 0', orderBody({ items: [{ productId: 'apple', quantity: 0 }] }), undefined, { field: 'items.0.quantity', rule: 'minimum' }],
      ['quantity 1001', orderBody({ items: [{ productId: 'apple', quantity: 1001 }] }), undefined, { field: 'items.0.quantity', rule: 'maximum' }],
      ['a fractional quantity', orderBody({ items: [{ productId: 'apple', quantity: 1.5 }] }), undefined, { field: 'items.0.quantity', rule: 'type' }],
      ['51 items', orderBody({ items: items51 }), undefined, { field: 'items', rule: 'maxItems' }],
      ['no items', orderBody({ items: [] }), undefined, { field: 'items', rule: 'minItems' }],
      ['duplicate productIds', orderBody({ items: [{ productId: 'apple', quantity: 1 }, { productId: 'apple', quantity: 2 }] }), undefined, { field: 'items.1.productId', rule: 'unique-products' }],
      ['a bad country', orderBody({ shippingAddress: { ...address, country: 'gb' } }), undefined, { field: 'shippingAddress.country', rule: 'pattern' }],
      ['an empty name', orderBody({ shippingAddress: { ...address, name: '' } }), undefined, { field: 'shippingAddress.name', rule: 'minLength' }],
      ['a bad currency', orderBody({ currency: 'eur' }), undefined, { field: 'currency', rule: 'pattern' }],
      ['a bad customerId', orderBody({ customerId: 'cust 1' }), undefined, { field: 'customerId', rule: 'pattern' }],
      ['a quantity as a string', orderBody({ items: [{ productId: 'apple', quantity: '2' }] }), undefined, { field: 'items.0.quantity', rule: 'type' }],
      ['a customerId as a number', orderBody({ customerId: 42 }), undefined, { field: 'customerId', rule: 'type' }],
      ['a missing shippingAddress', orderBody({ shippingAddress: undefined }), undefined, { field: 'shippingAddress', rule: 'required' }],
    ] as const)('%s', async (_what, payload, key, expected) => {
      const before = await rowCounts()
      const res = await place(payload, key === undefined ? randomUUID() : key)
      expect(res.statusCode).toBe(400)
      expect(res.json()).toMatchObject(expected)
      expect(await rowCounts()).toEqual(before)
    })

    it('malformed JSON', async () => {
      const before = await rowCounts()
      const res = await place('{"customerId": "cust-1", ', randomUUID(), { 'content-type': 'application/json' })
      expect(res.statusCode).toBe(400)
      expect(res.json()).toMatchObject({ field: 'body', rule: 'json' })
      expect(await rowCounts()).toEqual(before)
    })

    it('a body over 64 KiB, with 413', async () => {
      const before = await rowCounts()
      const res = await place(JSON.stringify(orderBody({ shippingAddress: { ...address, name: 'x'.repeat(70_000) } })), randomUUID(), { 'content-type': 'application/json' })
      expect(res.statusCode).toBe(413)
      expect(res.json()).toMatchObject({ rule: 'bodyLimit' })
      expect(await rowCounts()).toEqual(before)
    })
  })
})

describe('GET /orders/:orderId', () => {
  it('shows prices, total, shipment and the whole history as the saga moves the order', async () => {
    const orderId = await placed()
    const eur = (amount: number) => ({ amount, currency: 'EUR' })
    const meta = () => ({ eventId: randomUUID(), correlationId: 'c', causationId: null, occurredAt: Date.now() })
    const { saga } = await import('../../saga.ts')
    await h.database.db.transaction(async (trx) => saga.StockReserved.handle({ ...meta(), orderId, customerId: 'cust-1', total: eur(1100), lines: [
      { productId: 'apple', quantity: 2, unitPrice: eur(300) }, { productId: 'pear', quantity: 1, unitPrice: eur(500) },
    ] }, trx))
    await h.database.db.transaction(async (trx) => saga.OrderShipped.handle({ ...meta(), orderId, shipmentId: 's-1', carrier: 'UPS', trackingNumber: '1Z999' }, trx))

    const res = await get(`/orders/${orderId}`, bearerAs('cust-1'))
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({
      orderId, status: 'SHIPPED', total: eur(1100), shipment: { carrier: 'UPS', trackingNumber: '1Z999' }, reason: null,
      items: [{ productId: 'apple', quantity: 2, unitPrice: eur(300) }, { productId: 'pear', quantity: 1, unitPrice: eur(500) }],
    })
    expect(res.json<{ history: { event: string; status: string }[] }>().history.map((h) => [h.event, h.status])).toEqual([
      ['OrderPlaced', 'PENDING'], ['StockReserved', 'STOCK_RESERVED'], ['OrderShipped', 'SHIPPED'],
    ])
  })

  it('404 for an unknown order, 400 for an id that is not a uuid', async () => {
    const missing = await get(`/orders/${randomUUID()}`)
    expect(missing.statusCode).toBe(404)
    expect(missing.json()).toMatchObject({ error: 'not_found', field: 'orderId' })
    const bad = await get('/orders/not-a-uuid')
    expect(bad.statusCode).toBe(400)
    expect(bad.json()).toMatchObject({ field: 'orderId', rule: 'format' })
  })
})

describe('GET /orders', () => {
  interface Page { items: { orderId: string; status: string; history?: unknown }[]; nextCursor: string | null }
  const list = (query: string, headers: Headers = admin) => get(`/orders?${query}`, headers)

  it('pages a customer\'s orders newest first, without gaps or repeats, then says there is no more', async () => {
    const customerId = newCustomer()
    const created: string[] = []
    for (let i = 0; i < 5; i++) {
      created.push(await placed({ customerId }))
      await sleep(3) // distinct created_at, so newest-first is the reverse of creation
    }
    const seen: string[] = []
    const sizes: number[] = []
    let cursor: string | null = null
    do {
      const res = await list(`customerId=${customerId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      expect(res.statusCode).toBe(200)
      const page: Page = res.json()
      sizes.push(page.items.length)
      seen.push(...page.items.map((o) => o.orderId))
      for (const o of page.items) expect(o).not.toHaveProperty('history')
      cursor = page.nextCursor
    } while (cursor)
    expect(sizes).toEqual([2, 2, 1])
    expect(seen).toEqual([...created].reverse())
  })

  it('filters by status', async () => {
    const customerId = newCustomer()
    await placed({ customerId })
    const cancelled = await placed({ customerId })
    await h.app.inject({ method: 'POST', url: `/orders/${cancelled}/cancel`, headers: { ...bearerAs(customerId), 'idempotency-key': randomUUID() } })
    const page: Page = (await list(`customerId=${customerId}&status=CANCELLING`)).json()
    expect(page).toMatchObject({ items: [{ orderId: cancelled, status: 'CANCELLING' }], nextCursor: null })
  })

  it.each([
    ['limit=0', { field: 'limit', rule: 'minimum' }],
    ['limit=101', { field: 'limit', rule: 'maximum' }],
    ['limit=abc', { field: 'limit', rule: 'type' }],
    ['limit=2.5', { field: 'limit', rule: 'type' }],
    ['status=LOST', { field: 'status', rule: 'enum' }],
    ['customerId=a%20b', { field: 'customerId', rule: 'pattern' }],
    ['sort=asc', { field: 'sort', rule: 'additionalProperties' }],
    [`cursor=${Buffer.from('["yesterday","x"]').toString('base64url')}`, { field: 'cursor', rule: 'cursor' }],
  ])('refuses %s with 400', async (query, expected) => {
    const res = await list(query)
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject(expected)
  })
})

describe('POST /orders/:orderId/cancel', () => {
  async function orderIn(status: OrderStatus): Promise<string> {
    const orderId = await placed()
    await updateOrder(h.database.db, orderId, { status }, new Date())
    return orderId
  }
  const cancel = (orderId: string, payload?: object, key: string | null = randomUUID(), headers: Headers = bearerAs('cust-1')) => h.app.inject({
    method: 'POST', url: `/orders/${orderId}/cancel`, headers: { ...headers, ...(key === null ? {} : { 'idempotency-key': key }) }, ...(payload ? { payload } : {}),
  })

  it.each(['PENDING', 'STOCK_RESERVED', 'PAID'] as const)('accepts in %s: 202 CANCELLING, OrderCancellationRequested with the stage', async (status) => {
    const orderId = await orderIn(status)
    const res = await cancel(orderId)
    expect(res.statusCode).toBe(202)
    expect(res.json()).toMatchObject({ orderId, status: 'CANCELLING', reason: 'requested by customer' })
    expect(res.json<{ history: { event: string }[] }>().history.at(-1)).toMatchObject({ status: 'CANCELLING', event: 'OrderCancellationRequested' })
    const events = await outboxOf(orderId)
    expect(events.map((e) => e.event_type)).toEqual(['OrderPlaced', 'OrderCancellationRequested'])
    expect(events[1]?.payload).toMatchObject({ orderId, reason: 'requested by customer', stage: status })
  })

  it('takes the customer\'s reason', async () => {
    const orderId = await orderIn('PENDING')
    const res = await cancel(orderId, { reason: 'found it cheaper' })
    expect(res.json()).toMatchObject({ status: 'CANCELLING', reason: 'found it cheaper' })
    expect((await outboxOf(orderId))[1]?.payload).toMatchObject({ reason: 'found it cheaper' })
  })

  it('is idempotent while CANCELLING: another request (its own key) gets 202 and changes nothing but recording its key', async () => {
    const orderId = await orderIn('PENDING')
    await cancel(orderId)
    const before = await rowCounts()
    const res = await cancel(orderId, { reason: 'again' })
    expect(res.statusCode).toBe(202)
    expect(res.json()).toMatchObject({ status: 'CANCELLING', reason: 'requested by customer' })
    expect(await rowCounts()).toEqual({ ...before, keys: before.keys + 1 })
    expect((await outboxOf(orderId)).map((e) => e.event_type)).toEqual(['OrderPlaced', 'OrderCancellationRequested'])
  })

  describe('Idempotency-Key', () => {
    it('is required: 400, nothing written', async () => {
      const orderId = await orderIn('PENDING')
      const before = await rowCounts()
      const res = await cancel(orderId, undefined, null)
      expect(res.statusCode).toBe(400)
      expect(res.json()).toMatchObject({ field: 'Idempotency-Key', rule: 'required' })
      expect(await rowCounts()).toEqual(before)
      expect((await h.database.db('orders').where({ order_id: orderId }).first()).status).toBe('PENDING')
    })

    it('a retry with the same key gets the same 202 and writes no second outbox row or key', async () => {
      const orderId = await orderIn('PAID')
      const key = randomUUID()
      const first = await cancel(orderId, { reason: 'changed my mind' }, key)
      const before = await rowCounts()
      const again = await cancel(orderId, { reason: 'changed my mind' }, key)
      expect([first.statusCode, again.statusCode]).toEqual([202, 202])
      expect(again.json()).toEqual(first.json())
      expect(await rowCounts()).toEqual(before)
      expect((await outboxOf(orderId)).filter((e) => e.event_type === 'OrderCancellationRequested')).toHaveLength(1)
    })

    it('the same key with another reason, or a key used to place an order, is refused with 422 and writes nothing', async () => {
      const orderId = await orderIn('PENDING')
      const key = randomUUID()
      await cancel(orderId, { reason: 'first' }, key)
      const before = await rowCounts()
      const other = await cancel(orderId, { reason: 'second' }, key)
      expect(other.statusCode).toBe(422)
      expect(other.json()).toMatchObject({ field: 'Idempotency-Key', rule: 'idempotency-key-reuse' })

      const placeKey = randomUUID()
      const placedId = (await place(orderBody(), placeKey)).json<{ orderId: string }>().orderId
      const middle = await rowCounts()
      const reused = await cancel(placedId, undefined, placeKey)
      expect(reused.statusCode).toBe(422)
      expect(await rowCounts()).toEqual(middle)
      expect(middle).toEqual({ ...before, orders: before.orders + 1, lines: before.lines + 2, history: before.history + 1, keys: before.keys + 1, outbox: before.outbox + 1 })
      expect((await h.database.db('orders').where({ order_id: placedId }).first()).status).toBe('PENDING')
    })

    it('is the order\'s customer\'s: two customers cancelling their own orders with one key both succeed, and an admin\'s key is the customer\'s', async () => {
      const [ada, grace] = [newCustomer(), newCustomer()]
      const key = randomUUID()
      const adas = await placed({ customerId: ada })
      const graces = await placed({ customerId: grace })
      const byAda = await cancel(adas, { reason: 'mine' }, key, bearerAs(ada))
      const byGrace = await cancel(graces, { reason: 'mine too' }, key, bearerAs(grace))
      expect([byAda.statusCode, byGrace.statusCode]).toEqual([202, 202])
      expect(byGrace.json()).toMatchObject({ orderId: graces, status: 'CANCELLING', reason: 'mine too' })
      // An admin acting for ada with ada's key and another request: a reuse of ada's key.
      const another = await placed({ customerId: ada })
      const byAdmin = await cancel(another, { reason: 'ops' }, key, admin)
      expect(byAdmin.statusCode).toBe(422)
    })

    it('concurrent requests with the same key cancel once', async () => {
      const orderId = await orderIn('STOCK_RESERVED')
      const key = randomUUID()
      const results = await Promise.all(Array.from({ length: 4 }, () => cancel(orderId, { reason: 'twice is once' }, key)))
      expect(results.map((r) => r.statusCode)).toEqual([202, 202, 202, 202])
      expect((await outboxOf(orderId)).map((e) => e.event_type)).toEqual(['OrderPlaced', 'OrderCancellationRequested'])
      expect(await h.database.db('order_history').where({ order_id: orderId, event: 'OrderCancellationRequested' })).toHaveLength(1)
      expect(await h.database.db('idempotency_keys').where({ key: scopedKey('cust-1', key) })).toHaveLength(1)
    })
  })

  it.each([
    ['SHIPPED', 'already-shipped'], ['DELIVERED', 'already-shipped'], ['REJECTED', 'already-terminal'], ['CANCELLED', 'already-terminal'],
  ] as const)('refuses in %s with 409 %s, writing nothing', async (status, rule) => {
    const orderId = await orderIn(status)
    const before = await rowCounts()
    const res = await cancel(orderId)
    expect(res.statusCode).toBe(409)
    expect(res.json()).toMatchObject({ error: 'conflict', rule })
    expect(await rowCounts()).toEqual(before)
    expect((await h.database.db('orders').where({ order_id: orderId }).first()).status).toBe(status)
  })

  it('refuses a reason over 200 characters and an unknown order', async () => {
    const orderId = await orderIn('PENDING')
    const before = await rowCounts()
    const long = await cancel(orderId, { reason: 'x'.repeat(201) })
    expect(long.statusCode).toBe(400)
    expect(long.json()).toMatchObject({ field: 'reason', rule: 'maxLength' })
    expect((await cancel(randomUUID())).statusCode).toBe(404)
    expect(await rowCounts()).toEqual(before)
  })
})

describe('PATCH /orders/:orderId', () => {
  const newItems = [{ productId: 'apple', quantity: 5 }]
  const patch = (orderId: string, payload: unknown, headers: Headers = bearerAs('cust-1')) => h.app.inject({ method: 'PATCH', url: `/orders/${orderId}`, headers, payload: payload as object })

  it.each(['PENDING', 'STOCK_RESERVED', 'PAID'] as const)('in %s: 202, lines unchanged until stock answers, OrderModificationRequested with the pending id', async (status) => {
    const orderId = await placed()
    await updateOrder(h.database.db, orderId, { status }, new Date())
    const res = await patch(orderId, { items: newItems })
    expect(res.statusCode).toBe(202)
    expect(res.json()).toMatchObject({ status, items: [{ productId: 'apple', quantity: 2 }, { productId: 'pear', quantity: 1 }] })
    const { pending_modification_id: pending } = await h.database.db('orders').where({ order_id: orderId }).first()
    expect(pending).toMatch(/^[0-9a-f-]{36}$/)
    const events = await outboxOf(orderId)
    expect(events.map((e) => e.event_type)).toEqual(['OrderPlaced', 'OrderModificationRequested'])
    expect(events[1]?.payload).toMatchObject({ orderId, modificationId: pending, items: newItems })
    expect(res.json<{ history: { event: string }[] }>().history.at(-1)).toMatchObject({ status, event: 'OrderModificationRequested' })
  })

  it('refuses a second modification while one is pending', async () => {
    const orderId = await placed()
    await patch(orderId, { items: newItems })
    const before = await rowCounts()
    const res = await patch(orderId, { items: [{ productId: 'pear', quantity: 1 }] })
    expect(res.statusCode).toBe(409)
    expect(res.json()).toMatchObject({ rule: 'modification-pending' })
    expect(await rowCounts()).toEqual(before)
  })

  it.each([
    ['SHIPPED', 'already-shipped'], ['DELIVERED', 'already-shipped'],
    ['CANCELLING', 'not-modifiable'], ['REJECTED', 'not-modifiable'], ['CANCELLED', 'not-modifiable'],
  ] as const)('refuses in %s with 409 %s', async (status, rule) => {
    const orderId = await placed()
    await updateOrder(h.database.db, orderId, { status }, new Date())
    const before = await rowCounts()
    const res = await patch(orderId, { items: newItems })
    expect(res.statusCode).toBe(409)
    expect(res.json()).toMatchObject({ rule })
    expect(await rowCounts()).toEqual(before)
  })

  it.each([
    ['duplicate productIds', { items: [{ productId: 'apple', quantity: 1 }, { productId: 'apple', quantity: 1 }] }, { field: 'items.1.productId', rule: 'unique-products' }],
    ['quantity 0', { items: [{ productId: 'apple', quantity: 0 }] }, { field: 'items.0.quantity', rule: 'minimum' }],
    ['an unknown field', { items: newItems, note: 'x' }, { field: 'note', rule: 'additionalProperties' }],
  ])('refuses %s with 400, writing nothing', async (_what, payload, expected) => {
    const orderId = await placed()
    const before = await rowCounts()
    const res = await patch(orderId, payload)
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject(expected)
    expect(await rowCounts()).toEqual(before)
    expect((await h.database.db('orders').where({ order_id: orderId }).first()).pending_modification_id).toBeNull()
  })
})

describe('the saga consumer', () => {
  it('reacts to a StockReserved from Kafka: the order is priced and STOCK_RESERVED', async () => {
    const orderId = await placed()
    const codec = createEventCodec({ registryUrl: infra().registryUrl })
    await codec.register(['StockReserved'])
    const eur = (amount: number) => ({ amount, currency: 'EUR' })
    const event = {
      eventId: randomUUID(), orderId, correlationId: 'c-kafka', causationId: null, occurredAt: Date.now(), customerId: 'cust-1',
      lines: [{ productId: 'apple', quantity: 2, unitPrice: eur(100) }, { productId: 'pear', quantity: 1, unitPrice: eur(50) }], total: eur(250),
    }
    const producer = testKafka().producer()
    await producer.connect()
    await producer.send({ topic: `${h.prefix}stock.events`, acks: -1, messages: [{ key: orderId, value: codec.encode('StockReserved', event) }] })
    await producer.disconnect()
    await eventually(async () => {
      const res = await get(`/orders/${orderId}`)
      expect(res.json()).toMatchObject({ status: 'STOCK_RESERVED', total: eur(250) })
    })
  })
})

describe('who may do what', () => {
  it('every route but /health, /metrics and /docs wants a token: 401 token-missing, nothing written', async () => {
    const orderId = await placed()
    const before = await rowCounts()
    const anonymous = await Promise.all([
      h.app.inject({ method: 'POST', url: '/orders', headers: { 'idempotency-key': randomUUID() }, payload: orderBody() }),
      h.app.inject({ method: 'GET', url: `/orders/${orderId}` }),
      h.app.inject({ method: 'GET', url: '/orders' }),
      h.app.inject({ method: 'POST', url: `/orders/${orderId}/cancel`, headers: { 'idempotency-key': randomUUID() } }),
      h.app.inject({ method: 'PATCH', url: `/orders/${orderId}`, payload: { items: [{ productId: 'apple', quantity: 1 }] } }),
    ])
    for (const res of anonymous) expect(res.json()).toEqual({ error: 'unauthorized', message: expect.any(String), rule: 'token-missing' })
    expect(anonymous.map((r) => r.statusCode)).toEqual([401, 401, 401, 401, 401])
    expect(await rowCounts()).toEqual(before)
    expect((await h.app.inject({ url: '/health' })).statusCode).toBe(200)
    expect((await h.app.inject({ url: '/metrics' })).statusCode).toBe(200)
    expect((await h.app.inject({ url: '/docs/json' })).statusCode).toBe(200)
  })

  it('an expired token or one signed with another key is refused with 401, and places nothing', async () => {
    const before = await rowCounts()
    const expired = await place(orderBody(), randomUUID(), bearer(mintToken({ sub: 'cust-1', role: 'customer' }, TEST_JWT_SECRET, -1)))
    const forged = await place(orderBody(), randomUUID(), bearer(mintToken({ sub: 'cust-1', role: 'admin' }, 'not-the-services-secret-0123456789abcdef')))
    expect([expired.statusCode, expired.json().rule]).toEqual([401, 'token-expired'])
    expect([forged.statusCode, forged.json().rule]).toEqual([401, 'token-invalid'])
    expect(await rowCounts()).toEqual(before)
  })

  it('a customer places only for themselves: another customerId is 403 customer-mismatch, nothing written', async () => {
    const before = await rowCounts()
    const res = await place(orderBody({ customerId: 'grace' }), randomUUID(), bearerAs('ada'))
    expect(res.statusCode).toBe(403)
    expect(res.json()).toMatchObject({ error: 'forbidden', field: 'customerId', rule: 'customer-mismatch' })
    expect(await rowCounts()).toEqual(before)
  })

  it('an admin places for any customer', async () => {
    const res = await place(orderBody({ customerId: 'grace' }), randomUUID(), admin)
    expect(res.statusCode).toBe(201)
    expect(res.json()).toMatchObject({ customerId: 'grace', status: 'PENDING' })
  })

  describe("another customer's order is not found (404, as an unknown one), and stays as it was", () => {
    it('reading it', async () => {
      const orderId = await placed({ customerId: 'grace' })
      const theirs = await get(`/orders/${orderId}`, bearerAs('ada'))
      const unknown = await get(`/orders/${randomUUID()}`, bearerAs('ada'))
      expect([theirs.statusCode, unknown.statusCode]).toEqual([404, 404])
      expect(Object.keys(theirs.json()).sort()).toEqual(Object.keys(unknown.json()).sort())
      expect(theirs.json()).toMatchObject({ error: 'not_found', field: 'orderId' })
      expect((await get(`/orders/${orderId}`, bearerAs('grace'))).statusCode).toBe(200)
    })

    it('cancelling it', async () => {
      const orderId = await placed({ customerId: 'grace' })
      const before = await rowCounts()
      const res = await h.app.inject({ method: 'POST', url: `/orders/${orderId}/cancel`, headers: { ...bearerAs('ada'), 'idempotency-key': randomUUID() } })
      expect(res.statusCode).toBe(404)
      expect(await rowCounts()).toEqual(before)
      expect((await h.database.db('orders').where({ order_id: orderId }).first()).status).toBe('PENDING')
    })

    it('modifying it', async () => {
      const orderId = await placed({ customerId: 'grace' })
      const before = await rowCounts()
      const res = await h.app.inject({ method: 'PATCH', url: `/orders/${orderId}`, headers: bearerAs('ada'), payload: { items: [{ productId: 'apple', quantity: 9 }] } })
      expect(res.statusCode).toBe(404)
      expect(await rowCounts()).toEqual(before)
      expect((await h.database.db('orders').where({ order_id: orderId }).first()).pending_modification_id).toBeNull()
    })

    it('while an admin may read, cancel and modify it', async () => {
      const orderId = await placed({ customerId: 'grace' })
      expect((await get(`/orders/${orderId}`)).statusCode).toBe(200)
      expect((await h.app.inject({ method: 'PATCH', url: `/orders/${orderId}`, headers: admin, payload: { items: [{ productId: 'apple', quantity: 9 }] } })).statusCode).toBe(202)
      expect((await h.app.inject({ method: 'POST', url: `/orders/${orderId}/cancel`, headers: { ...admin, 'idempotency-key': randomUUID() } })).statusCode).toBe(202)
    })
  })

  it('GET /orders lists only the caller\'s own orders; naming another customer is 403, an admin lists anyone\'s', async () => {
    const ada = newCustomer()
    const grace = newCustomer()
    const adas = [await placed({ customerId: ada }), await placed({ customerId: ada })]
    const graces = [await placed({ customerId: grace })]
    const ids = (res: { json: () => { items: { orderId: string }[] } }) => res.json().items.map((o) => o.orderId).sort()

    expect(ids(await get('/orders?limit=100', bearerAs(ada)))).toEqual([...adas].sort())
    expect(ids(await get(`/orders?customerId=${ada}`, bearerAs(ada)))).toEqual([...adas].sort())
    const other = await get(`/orders?customerId=${grace}`, bearerAs(ada))
    expect(other.statusCode).toBe(403)
    expect(other.json()).toMatchObject({ rule: 'customer-mismatch', field: 'customerId' })
    expect(ids(await get(`/orders?customerId=${grace}`))).toEqual(graces)
  })
})

describe('hostile input is refused with 4xx JSON, and nothing is written', () => {
  const raw = (body: string, contentType = 'application/json') => place(body, randomUUID(), { 'content-type': contentType })
  const withName = (name: string) => JSON.stringify(orderBody({ shippingAddress: { ...address, name } }))

  it.each([
    ['a NUL in a name', withName('Ada\u0000Lovelace'), 400, 'shippingAddress.name'],
    ['a right-to-left override in a name', withName('Ada \u202Eecalevol'), 400, 'shippingAddress.name'],
    ['a lone surrogate in a name (JSON escape)', withName('Ada').replace('"Ada"', '"Ada\\ud800"'), 400, 'shippingAddress.name'],
    ['a control character in a product id', JSON.stringify(orderBody({ items: [{ productId: 'apple\u0007', quantity: 1 }] })), 400, 'items.0.productId'],
    ['a negative quantity', JSON.stringify(orderBody({ items: [{ productId: 'apple', quantity: -5 }] })), 400, 'items.0.quantity'],
    ['a huge quantity', JSON.stringify(orderBody({ items: [{ productId: 'apple', quantity: 1e12 }] })), 400, 'items.0.quantity'],
    ['a quantity beyond every number (1e400)', JSON.stringify(orderBody()).replace('"quantity":2', '"quantity":1e400'), 400, 'items.0.quantity'],
    ['a name of 10,000 characters', withName('x'.repeat(10_000)), 400, 'shippingAddress.name'],
    ['an array for a body', '[]', 400, undefined],
    ['null for a body', 'null', 400, undefined],
    ['a prototype-polluting key', '{"__proto__":{"admin":true},"customerId":"cust-1"}', 400, undefined],
  ])('%s', async (_what, body, status, field) => {
    const before = await rowCounts()
    const res = await raw(body)
    expect(res.statusCode).toBe(status)
    expect(res.json()).toMatchObject({ error: expect.any(String), message: expect.any(String), ...(field ? { field } : {}) })
    expect(await rowCounts()).toEqual(before)
  })

  it('a body that is not JSON: 415 for another content type', async () => {
    const before = await rowCounts()
    const res = await raw('customerId=cust-1', 'application/x-www-form-urlencoded')
    expect(res.statusCode).toBe(415)
    expect(res.json()).toMatchObject({ error: expect.any(String), rule: 'contentType' })
    expect(await rowCounts()).toEqual(before)
  })

  it('an unknown product is not refused here: the order is placed and the saga rejects it (documented on the route)', async () => {
    const res = await place(orderBody({ items: [{ productId: 'no-such-product', quantity: 1 }] }))
    expect(res.statusCode).toBe(201)
  })
})
