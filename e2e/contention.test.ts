import { describe, expect, it } from 'vitest'
import { useShop, TERMINAL } from './fixtures.ts'
import { checkInvariants } from './invariants.ts'

// Many customers after the last units at once (docs/design.md, "Stock"): reserving is a
// conditional update under row locks, so exactly as many orders win as there are units.

const UNITS = 10
const ORDERS = 50

describe('orders competing for the last units', () => {
  const shop = useShop('contention')
  const { system } = shop

  it(`ships exactly ${UNITS} of ${ORDERS} concurrent orders for ${UNITS} units and rejects the rest`, async () => {
    const productId = await shop.product(UNITS, 900)
    const customers = await Promise.all(Array.from({ length: ORDERS }, () => shop.customer(10_000)))
    const orderIds = await Promise.all(customers.map((customerId) => shop.placed(customerId, [{ productId, quantity: 1 }])))
    const orders = await shop.untilAll(orderIds, ['SHIPPED', ...TERMINAL])

    const count = (status: string) => orders.filter((o) => o.status === status).length
    expect({ shipped: count('SHIPPED'), rejected: count('REJECTED'), other: ORDERS - count('SHIPPED') - count('REJECTED') }).toEqual({ shipped: UNITS, rejected: ORDERS - UNITS, other: 0 })
    for (const rejected of orders.filter((o) => o.status === 'REJECTED')) expect(rejected.reason).toBe(`insufficient stock: ${productId} (requested 1, available 0)`)
    expect(await shop.stockOf(productId)).toMatchObject({ available: 0, reserved: 0 })
    const negative = await system.databases.stock.db('products').where('available', '<', 0).orWhere('reserved', '<', 0).select('product_id')
    expect(negative).toEqual([])
    // Each winner paid once, each loser not at all.
    const balances = await Promise.all(customers.map((c) => shop.balanceOf(c)))
    expect(balances.filter((b) => b === 10_000 - 900)).toHaveLength(UNITS)
    expect(balances.filter((b) => b === 10_000)).toHaveLength(ORDERS - UNITS)
  })

  it('leaves every saga finished and every invariant holding', async () => {
    await checkInvariants(shop)
  })
})
