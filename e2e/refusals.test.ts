import { describe, expect, it } from 'vitest'
import { eventually } from '@choreo/testkit'
import { useShop, SAGA_TIMEOUT_MS } from './fixtures.ts'
import { checkInvariants } from './invariants.ts'

// Orders the saga refuses: stock cannot reserve them (REJECTED, nothing to undo), or the
// customer cannot pay (CANCELLED, the reservation undone). Either way nothing moves for good.

describe('orders the saga refuses', () => {
  const shop = useShop('refusals')
  const { system } = shop

  async function shortLinesOf(orderId: string): Promise<unknown> {
    const row = await system.databases.order.db('orders').where({ order_id: orderId }).first<{ short_lines: string | null }>('short_lines')
    return row?.short_lines === null || row === undefined ? null : JSON.parse(row.short_lines)
  }

  it('rejects an order when any line is short, naming the short lines, and moves no stock and no money', async () => {
    const plenty = await shop.product(5)
    const scarce = await shop.product(1)
    const customerId = await shop.customer(100_000)
    const orderId = await shop.placed(customerId, [{ productId: plenty, quantity: 2 }, { productId: scarce, quantity: 3 }])

    const rejected = await shop.until(orderId, ['REJECTED', 'CANCELLED', 'DELIVERED', 'SHIPPED'])
    expect(rejected).toMatchObject({ status: 'REJECTED', reason: `insufficient stock: ${scarce} (requested 3, available 1)`, total: null, shipment: null })
    expect(rejected.history.map((h) => [h.event, h.status])).toEqual([['OrderPlaced', 'PENDING'], ['StockReservationFailed', 'REJECTED']])
    expect(await shortLinesOf(orderId)).toEqual([{ productId: scarce, requested: 3, available: 1 }])
    expect(await shop.stockOf(plenty)).toMatchObject({ available: 5, reserved: 0 })
    expect(await shop.stockOf(scarce)).toMatchObject({ available: 1, reserved: 0 })
    expect(await shop.balanceOf(customerId)).toBe(100_000)
    // Payment closes the order on StockReservationFailed, beside order-service: nothing charged.
    await eventually(async () => expect(await shop.paymentsOf(orderId)).toMatchObject({ items: [], charged: { amount: 0 }, refunded: { amount: 0 } }), { timeoutMs: SAGA_TIMEOUT_MS })
  })

  it('rejects an order for a product the catalogue does not have', async () => {
    const known = await shop.product(5)
    const customerId = await shop.customer(100_000)
    const orderId = await shop.placed(customerId, [{ productId: known, quantity: 1 }, { productId: 'no-such-product', quantity: 1 }])
    expect(await shop.until(orderId, ['REJECTED', 'CANCELLED', 'DELIVERED', 'SHIPPED'])).toMatchObject({ status: 'REJECTED', reason: 'unknown product: no-such-product (requested 1, available 0)' })
    expect(await shortLinesOf(orderId)).toEqual([{ productId: 'no-such-product', requested: 1, available: 0 }])
    expect(await shop.stockOf(known)).toMatchObject({ available: 5, reserved: 0 })
  })

  it('ships a rejected order once it is placed again after a restock', async () => {
    const productId = await shop.product(1)
    const customerId = await shop.customer(100_000)
    const first = await shop.placed(customerId, [{ productId, quantity: 3 }])
    expect(await shop.until(first, ['REJECTED', 'SHIPPED'])).toMatchObject({ status: 'REJECTED' })
    await shop.restock(productId, 2)
    const second = await shop.placed(customerId, [{ productId, quantity: 3 }])
    expect(await shop.until(second, ['REJECTED', 'SHIPPED'])).toMatchObject({ status: 'SHIPPED', total: { amount: 3000 } })
    expect(await shop.stockOf(productId)).toMatchObject({ available: 0, reserved: 0 })
  })

  it('cancels an order the customer cannot pay for, giving the stock back and charging nothing', async () => {
    const productId = await shop.product(4, 2500)
    const customerId = await shop.customer(4_999)
    const orderId = await shop.placed(customerId, [{ productId, quantity: 2 }])

    const cancelled = await shop.until(orderId, ['CANCELLED', 'REJECTED', 'SHIPPED', 'DELIVERED'])
    expect(cancelled).toMatchObject({ status: 'CANCELLED', reason: 'payment failed: insufficient funds', total: { amount: 5000 }, shipment: null })
    expect(cancelled.history.map((h) => h.status)).toEqual(expect.arrayContaining(['STOCK_RESERVED', 'CANCELLING', 'CANCELLED']))
    expect(cancelled.history.map((h) => h.status)).not.toContain('PAID')
    expect(await shop.stockOf(productId)).toMatchObject({ available: 4, reserved: 0 })
    expect(await shop.balanceOf(customerId)).toBe(4_999)
    const payments = await shop.paymentsOf(orderId)
    expect(payments).toMatchObject({ items: [], charged: { amount: 0 }, refunded: { amount: 0 } })
  })

  it('ships the same order once the customer has deposited enough', async () => {
    const productId = await shop.product(2, 2500)
    const customerId = await shop.customer(1_000)
    const first = await shop.placed(customerId, [{ productId, quantity: 1 }])
    expect(await shop.until(first, ['CANCELLED', 'SHIPPED'])).toMatchObject({ status: 'CANCELLED' })
    await shop.deposit(customerId, 1_500)
    const second = await shop.placed(customerId, [{ productId, quantity: 1 }])
    expect(await shop.until(second, ['CANCELLED', 'SHIPPED'])).toMatchObject({ status: 'SHIPPED' })
    expect(await shop.balanceOf(customerId)).toBe(0)
  })

  it('leaves every saga finished and every invariant holding', async () => {
    await checkInvariants(shop)
  })
})
