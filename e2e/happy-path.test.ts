import { describe, expect, it } from 'vitest'
import { useShop } from './fixtures.ts'
import { checkInvariants } from './invariants.ts'

describe('the order saga, happy path', () => {
  const shop = useShop('happy')
  const { system } = shop

  it('takes an order from PENDING to DELIVERED with a tracking number, moving stock and money', async () => {
    const productId = await shop.product(5, 1250)
    const other = await shop.product(10, 300)
    const customerId = await shop.customer(10_000)
    const orderId = await shop.placed(customerId, [{ productId, quantity: 2 }, { productId: other, quantity: 3 }])
    const shipped = await shop.until(orderId, ['SHIPPED'])
    expect(shipped.shipment?.trackingNumber).toMatch(/^[A-Z0-9]{12,}$/)
    const shipments = await system.admin.get<{ items: { shipmentId: string; trackingNumber: string }[] }>('stock', `/shipments?orderId=${orderId}`)
    expect(shipments.body.items.map((s) => s.trackingNumber)).toEqual([shipped.shipment?.trackingNumber])
    expect((await system.admin.post('stock', `/shipments/${shipments.body.items[0]!.shipmentId}/deliver`)).status).toBe(202)
    const delivered = await shop.until(orderId, ['DELIVERED'])
    expect(delivered.total).toEqual({ amount: 3400, currency: 'EUR' })
    expect(delivered.history.map((h) => h.status)).toEqual(expect.arrayContaining(['PENDING', 'STOCK_RESERVED', 'PAID', 'SHIPPED', 'DELIVERED']))
    expect(await shop.stockOf(productId)).toMatchObject({ available: 3, reserved: 0 })
    expect(await shop.stockOf(other)).toMatchObject({ available: 7, reserved: 0 })
    expect(await shop.balanceOf(customerId)).toBe(6_600)
    // Delivering twice is refused: the carrier confirms a shipment once.
    expect((await system.admin.post('stock', `/shipments/${shipments.body.items[0]!.shipmentId}/deliver`)).status).toBe(409)
    expect((await shop.paymentsOf(orderId)).items.map((p) => [p.kind, p.amount.amount])).toEqual([['CHARGE', 3400]])
  })

  it('leaves every saga finished and every invariant holding', async () => {
    await checkInvariants(shop)
  })
})
