import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually } from '@choreo/testkit'
import { startSystem, type System } from './system.ts'

describe('the order saga, happy path', () => {
  let system: System
  beforeAll(async () => { system = await startSystem('e2e-happy') })
  afterAll(async () => { await system.stop() })

  it('takes an order from PENDING to DELIVERED with a tracking number, moving stock and money', async () => {
    const customerId = `cust-${randomUUID().slice(0, 8)}`
    const productId = `prod-${randomUUID().slice(0, 8)}`
    expect((await system.admin.post('stock', '/products', { productId, name: 'Teapot', price: { amount: 1250, currency: 'EUR' }, quantity: 5 })).status).toBe(201)
    expect((await system.admin.post('payment', '/customers', { customerId, name: 'Ada', balance: { amount: 10_000, currency: 'EUR' } })).status).toBe(201)
    const me = system.as(customerId)
    const placed = await me.post<{ orderId: string; status: string }>('order', '/orders', {
      customerId, items: [{ productId, quantity: 2 }],
      shippingAddress: { name: 'Ada', line1: '1 Loop Road', city: 'Delft', postalCode: '2611', country: 'NL' },
    }, { 'idempotency-key': randomUUID() })
    expect(placed.status).toBe(201)
    const { orderId } = placed.body
    const shipped = await eventually(async () => {
      const order = await me.get<{ status: string; shipment: { carrier: string; trackingNumber: string } | null }>('order', `/orders/${orderId}`)
      expect(order.body.status).toBe('SHIPPED')
      return order.body
    }, { timeoutMs: 30_000 })
    expect(shipped.shipment?.trackingNumber).toMatch(/^[A-Z0-9]{12,}$/)
    const shipments = await system.admin.get<{ items: { shipmentId: string }[] }>('stock', `/shipments?orderId=${orderId}`)
    expect((await system.admin.post('stock', `/shipments/${shipments.body.items[0]!.shipmentId}/deliver`)).status).toBe(202)
    const delivered = await eventually(async () => {
      const order = await me.get<{ status: string; total: { amount: number }; history: { status: string }[] }>('order', `/orders/${orderId}`)
      expect(order.body.status).toBe('DELIVERED')
      return order.body
    }, { timeoutMs: 30_000 })
    expect(delivered.total).toEqual({ amount: 2500, currency: 'EUR' })
    expect(delivered.history.map((h) => h.status)).toEqual(expect.arrayContaining(['PENDING', 'STOCK_RESERVED', 'PAID', 'SHIPPED', 'DELIVERED']))
    expect((await system.admin.get('stock', `/products/${productId}`)).body).toMatchObject({ available: 3, reserved: 0 })
    expect((await system.admin.get('payment', `/customers/${customerId}`)).body).toMatchObject({ balance: { amount: 7_500, currency: 'EUR' } })
  })
})
