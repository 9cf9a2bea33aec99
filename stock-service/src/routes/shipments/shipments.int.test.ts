import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { bearerAs } from '@choreo/testkit'
import { givenProduct, only, orderPlaced, paymentCompleted, react, useStockApp } from '../../testing/harness.ts'
import { shipAtOnce } from '../../domain/fulfilment.ts'
import { recordPayment } from '../../steps/record-payment.ts'
import { reserveStock } from '../../steps/reserve-stock.ts'

const admin = bearerAs('ops', 'admin')

const h = useStockApp('shipments')

/** An order reserved and paid in full, hence shipped. */
async function shippedOrder() {
  const productId = await givenProduct(h.app.db, 3, { amount: 500, currency: 'EUR' })
  const orderId = randomUUID()
  only(await react(h.app.db, reserveStock, orderPlaced(orderId, [{ productId, quantity: 2 }])), 'StockReserved')
  return only(await react(h.app.db, recordPayment(shipAtOnce), paymentCompleted(orderId, { amount: 1000, currency: 'EUR' })), 'OrderShipped')
}

const deliveredEvents = (shipmentId: string) =>
  h.app.db('outbox').where({ event_type: 'ShipmentDelivered' }).whereRaw("payload->>'shipmentId' = ?", [shipmentId])

describe('GET /shipments', () => {
  it('lists the shipment of an order', async () => {
    const { orderId, shipmentId, carrier, trackingNumber } = await shippedOrder()
    const res = await h.app.inject({ headers: admin, url: `/shipments?orderId=${orderId}` })
    expect(res.statusCode).toBe(200)
    const { items } = res.json<{ items: Record<string, unknown>[] }>()
    expect(items).toEqual([{ shipmentId, orderId, carrier, trackingNumber, status: 'SHIPPED', shippedAt: expect.any(String), deliveredAt: null }])
    expect(Date.parse(String(items[0]?.shippedAt))).toBeGreaterThan(Date.now() - 60_000)
  })

  it('lists nothing for an order without shipment', async () => {
    expect((await h.app.inject({ headers: admin, url: `/shipments?orderId=${randomUUID()}` })).json()).toEqual({ items: [] })
  })

  it('requires orderId', async () => {
    const res = await h.app.inject({ headers: admin, url: '/shipments' })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ field: 'orderId', rule: 'required' })
  })
})

describe('POST /shipments/:shipmentId/deliver', () => {
  it('marks the shipment delivered and enqueues ShipmentDelivered for its order in the same transaction', async () => {
    const { orderId, shipmentId } = await shippedOrder()
    const res = await h.app.inject({ headers: admin, method: 'POST', url: `/shipments/${shipmentId}/deliver` })
    expect(res.statusCode).toBe(202)
    expect(res.json()).toEqual({ shipmentId, status: 'DELIVERED' })
    const row = await h.app.db('shipments').where({ shipment_id: shipmentId }).first()
    expect(row).toMatchObject({ status: 'DELIVERED' })
    const [event, ...more] = await deliveredEvents(shipmentId)
    expect(more).toEqual([])
    expect(event).toMatchObject({ aggregate_id: orderId, payload: { orderId, shipmentId, deliveredAt: (row.delivered_at as Date).getTime(), causationId: null } })
    const listed = (await h.app.inject({ headers: admin, url: `/shipments?orderId=${orderId}` })).json<{ items: { deliveredAt: string }[] }>()
    expect(listed.items[0]?.deliveredAt).toBe((row.delivered_at as Date).toISOString())
  })

  it('refuses a second delivery with 409 already-delivered and enqueues nothing more', async () => {
    const { shipmentId } = await shippedOrder()
    expect((await h.app.inject({ headers: admin, method: 'POST', url: `/shipments/${shipmentId}/deliver` })).statusCode).toBe(202)
    const res = await h.app.inject({ headers: admin, method: 'POST', url: `/shipments/${shipmentId}/deliver` })
    expect(res.statusCode).toBe(409)
    expect(res.json()).toMatchObject({ error: 'conflict', rule: 'already-delivered' })
    expect(await deliveredEvents(shipmentId)).toHaveLength(1)
  })

  it('answers 404 for an unknown shipment', async () => {
    const res = await h.app.inject({ headers: admin, method: 'POST', url: `/shipments/${randomUUID()}/deliver` })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toMatchObject({ error: 'not_found', field: 'shipmentId' })
  })

  it('answers 400 for a shipment id that is not a uuid, and enqueues nothing', async () => {
    const outboxRows = async () => (await h.app.db('outbox').count<{ count: string }[]>('* as count'))[0]?.count
    const before = await outboxRows()
    const res = await h.app.inject({ headers: admin, method: 'POST', url: '/shipments/not-a-uuid/deliver' })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ field: 'shipmentId', rule: 'format' })
    expect(await outboxRows()).toBe(before)
  })
})

describe('who may do what', () => {
  // The harness reserves every order for customer-1.
  it("a customer sees the shipments of their own orders; another's, or an unknown order, is not found", async () => {
    const { orderId } = await shippedOrder()
    const own = await h.app.inject({ headers: bearerAs('customer-1'), url: `/shipments?orderId=${orderId}` })
    expect(own.statusCode).toBe(200)
    expect(own.json<{ items: unknown[] }>().items).toHaveLength(1)
    const theirs = await h.app.inject({ headers: bearerAs('customer-2'), url: `/shipments?orderId=${orderId}` })
    const unknown = await h.app.inject({ headers: bearerAs('customer-2'), url: `/shipments?orderId=${randomUUID()}` })
    expect([theirs.statusCode, unknown.statusCode]).toEqual([404, 404])
    expect(theirs.json()).toMatchObject({ error: 'not_found', field: 'orderId' })
  })

  it('only an admin confirms a delivery: a customer, even the owner, gets 403 and nothing changes', async () => {
    const { shipmentId } = await shippedOrder()
    const res = await h.app.inject({ headers: bearerAs('customer-1'), method: 'POST', url: `/shipments/${shipmentId}/deliver` })
    expect(res.statusCode).toBe(403)
    expect(res.json()).toMatchObject({ rule: 'role' })
    expect(await h.app.db('shipments').where({ shipment_id: shipmentId }).first()).toMatchObject({ status: 'SHIPPED' })
    expect(await deliveredEvents(shipmentId)).toHaveLength(0)
  })

  it('an order id with odd characters is refused with 400 before any query', async () => {
    const res = await h.app.inject({ headers: admin, url: '/shipments?orderId=x%00y' })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ field: 'orderId', rule: 'pattern' })
  })
})
