import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { useShop, TERMINAL } from './fixtures.ts'
import { checkInvariants } from './invariants.ts'

// POST /orders is made safe to retry by its Idempotency-Key: one key, one order, one saga.

describe('placing an order with an Idempotency-Key', () => {
  const shop = useShop('idempotency')
  const { system } = shop

  /** Everything the system did for one customer: orders, OrderPlaced events, reservations, charges. */
  async function footprintOf(customerId: string) {
    const orders = await system.as(customerId).get<{ items: { orderId: string }[] }>('order', `/orders?customerId=${customerId}`)
    const orderIds = orders.body.items.map((o) => o.orderId)
    const count = async (query: Promise<{ n: string | number }[]>) => Number((await query)[0]?.n)
    return {
      orders: orderIds.length,
      placedEvents: await count(system.databases.order.db('outbox').whereIn('aggregate_id', orderIds).andWhere({ event_type: 'OrderPlaced' }).count({ n: '*' })),
      reservations: await count(system.databases.stock.db('reservations').where({ customer_id: customerId }).count({ n: '*' })),
      charges: await count(system.databases.payment.db('payments').where({ customer_id: customerId, kind: 'CHARGE' }).count({ n: '*' })),
    }
  }

  it('returns the same order for the same key sent twice, and runs one saga', async () => {
    const productId = await shop.product(10, 500)
    const customerId = await shop.customer(10_000)
    const key = randomUUID()
    const first = await shop.place(customerId, [{ productId, quantity: 2 }], key)
    const second = await shop.place(customerId, [{ productId, quantity: 2 }], key)
    expect([first.status, second.status]).toEqual([201, 201])
    expect(second.body.orderId).toBe(first.body.orderId)
    await shop.until(first.body.orderId, ['SHIPPED', ...TERMINAL])
    // A retry after the saga has moved on still answers with the same order.
    const late = await shop.place(customerId, [{ productId, quantity: 2 }], key)
    expect(late).toMatchObject({ status: 201, body: { orderId: first.body.orderId, status: 'SHIPPED' } })
    expect(await footprintOf(customerId)).toEqual({ orders: 1, placedEvents: 1, reservations: 1, charges: 1 })
    expect(await shop.stockOf(productId)).toMatchObject({ available: 8, reserved: 0 })
    expect(await shop.balanceOf(customerId)).toBe(9_000)
  })

  it('returns one order to concurrent requests with the same key', async () => {
    const productId = await shop.product(10, 500)
    const customerId = await shop.customer(10_000)
    const key = randomUUID()
    const responses = await Promise.all(Array.from({ length: 5 }, () => shop.place(customerId, [{ productId, quantity: 1 }], key)))
    expect(responses.map((r) => r.status)).toEqual([201, 201, 201, 201, 201])
    expect(new Set(responses.map((r) => r.body.orderId)).size).toBe(1)
    await shop.until(responses[0]!.body.orderId, ['SHIPPED', ...TERMINAL])
    expect(await footprintOf(customerId)).toEqual({ orders: 1, placedEvents: 1, reservations: 1, charges: 1 })
    expect(await shop.stockOf(productId)).toMatchObject({ available: 9, reserved: 0 })
  })

  it('refuses the key for a different request (422), placing nothing more', async () => {
    const productId = await shop.product(10, 500)
    const customerId = await shop.customer(10_000)
    const key = randomUUID()
    expect((await shop.place(customerId, [{ productId, quantity: 1 }], key)).status).toBe(201)
    const reused = await shop.place(customerId, [{ productId, quantity: 3 }], key)
    expect(reused).toMatchObject({ status: 422, body: { field: 'Idempotency-Key', rule: 'idempotency-key-reuse' } })
    expect((await footprintOf(customerId)).orders).toBe(1)
  })

  it('leaves every saga finished and every invariant holding', async () => {
    await checkInvariants(shop)
  })
})
