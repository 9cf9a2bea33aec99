import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { eventually } from '@choreo/testkit'
import { useShop, netCharged, SAGA_TIMEOUT_MS } from './fixtures.ts'
import { checkInvariants } from './invariants.ts'

// With a fulfilment delay (FULFILMENT_DELAY_MS, as ./choreo up's demo sets it), a paid order
// waits in PAID before stock ships it: long enough for a person to cancel or modify it by hand,
// as the README's walkthrough does, or for an admin to ship it at once.

const DELAY_MS = 3000

describe('a paid order waiting for fulfilment', () => {
  const shop = useShop('fulfilment', { stock: { FULFILMENT_DELAY_MS: String(DELAY_MS) } })
  const { system } = shop

  it('ships by itself once the delay has passed', async () => {
    const teapot = await shop.product(5, 1000)
    const customerId = await shop.customer(10_000)
    const orderId = await shop.placed(customerId, [{ productId: teapot, quantity: 1 }])
    const placedAt = Date.now()
    await shop.until(orderId, ['PAID'])
    expect(await shop.until(orderId, ['SHIPPED'])).toMatchObject({ status: 'SHIPPED', reason: null })
    expect(Date.now() - placedAt).toBeGreaterThanOrEqual(DELAY_MS)
    expect(await shop.stockOf(teapot)).toMatchObject({ available: 4, reserved: 0 })
  })

  it('is cancelled after payment: stock is released, the charge refunded, nothing ships', async () => {
    const teapot = await shop.product(5, 1000)
    const customerId = await shop.customer(10_000)
    const orderId = await shop.placed(customerId, [{ productId: teapot, quantity: 2 }])
    await shop.until(orderId, ['PAID'])
    expect((await shop.cancel(orderId)).status).toBe(202)
    expect(await shop.until(orderId, ['CANCELLED', 'SHIPPED'])).toMatchObject({ status: 'CANCELLED', shipment: null })
    await sleep(DELAY_MS)
    expect(await shop.order(orderId)).toMatchObject({ status: 'CANCELLED' })
    expect(await shop.stockOf(teapot)).toMatchObject({ available: 5, reserved: 0 })
    await eventually(async () => expect(netCharged(await shop.paymentsOf(orderId))).toBe(0), { timeoutMs: SAGA_TIMEOUT_MS })
    expect(await shop.balanceOf(customerId)).toBe(10_000)
  })

  it('is modified after payment, before it ships: the extra is charged, and the new lines ship', async () => {
    const teapot = await shop.product(10, 1000)
    const mug = await shop.product(10, 400)
    const customerId = await shop.customer(10_000)
    const orderId = await shop.placed(customerId, [{ productId: teapot, quantity: 1 }])
    await shop.until(orderId, ['PAID'])
    expect((await shop.modify(orderId, [{ productId: teapot, quantity: 2 }, { productId: mug, quantity: 1 }])).status).toBe(202)
    const shipped = await shop.until(orderId, ['SHIPPED', 'CANCELLED'])
    expect(shipped).toMatchObject({ status: 'SHIPPED', total: { amount: 2400 }, reason: null })
    expect(shipped.items.map((l) => [l.productId, l.quantity]).sort()).toEqual([[teapot, 2], [mug, 1]].sort())
    expect((await shop.paymentsOf(orderId)).items.map((p) => [p.kind, p.amount.amount, p.reason])).toEqual([['CHARGE', 1000, 'order total'], ['CHARGE', 1400, 'modification']])
    expect(await shop.balanceOf(customerId)).toBe(10_000 - 2400)
    expect(await shop.stockOf(teapot)).toMatchObject({ available: 8, reserved: 0 })
  })

  it('is lowered after payment: the difference is refunded', async () => {
    const teapot = await shop.product(10, 1000)
    const customerId = await shop.customer(10_000)
    const orderId = await shop.placed(customerId, [{ productId: teapot, quantity: 3 }])
    await shop.until(orderId, ['PAID'])
    expect((await shop.modify(orderId, [{ productId: teapot, quantity: 1 }])).status).toBe(202)
    expect(await shop.until(orderId, ['SHIPPED', 'CANCELLED'])).toMatchObject({ status: 'SHIPPED', total: { amount: 1000 } })
    await eventually(async () => expect(netCharged(await shop.paymentsOf(orderId))).toBe(1000), { timeoutMs: SAGA_TIMEOUT_MS })
    expect(await shop.stockOf(teapot)).toMatchObject({ available: 9, reserved: 0 })
  })

  it('is shipped at once by an admin, ahead of the delay; then cancel and modify are refused', async () => {
    const teapot = await shop.product(5, 1000)
    const customerId = await shop.customer(10_000)
    const orderId = await shop.placed(customerId, [{ productId: teapot, quantity: 1 }])
    await shop.until(orderId, ['PAID'])
    // PAID is order-service's view; stock counts the payment when it consumes it too (else 409 not-paid).
    const shipping = await eventually(async () => {
      const res = await system.admin.post<{ shipmentId: string }>('stock', '/shipments', { orderId })
      expect(res.status, JSON.stringify(res.body)).toBe(201)
      return res
    }, { timeoutMs: SAGA_TIMEOUT_MS })
    const shippedAt = Date.now()
    await shop.until(orderId, ['SHIPPED'])
    expect(Date.now() - shippedAt).toBeLessThan(DELAY_MS)
    expect(await shop.cancel(orderId)).toMatchObject({ status: 409, body: { rule: 'already-shipped' } })
    expect(await shop.modify(orderId, [{ productId: teapot, quantity: 2 }])).toMatchObject({ status: 409, body: { rule: 'already-shipped' } })
    expect((await system.admin.post('stock', `/shipments/${shipping.body.shipmentId}/deliver`)).status).toBe(202)
    expect(await shop.until(orderId, ['DELIVERED'])).toMatchObject({ status: 'DELIVERED' })
  })

  it('leaves every saga finished and every invariant holding', async () => {
    await checkInvariants(shop)
  })
})
