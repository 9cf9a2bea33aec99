import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eur, handle, newCustomer, reservationAdjusted, startApp, stockReleased, stockReserved, type Harness } from '../../testing/harness.ts'
import { chargeOrder } from '../../steps/charge-order.ts'
import { refundOrder } from '../../steps/refund-order.ts'
import { settleAdjustment } from '../../steps/settle-adjustment.ts'

describe('payments of an order over HTTP', () => {
  let h: Harness
  beforeAll(async () => { h = await startApp('payments') })
  afterAll(async () => { await h?.close() })

  it('lists every charge and refund of the order, oldest first, with the totals', async () => {
    const db = h.app.db
    const customerId = await newCustomer(db, eur(10_000))
    const orderId = randomUUID()
    await handle(db, chargeOrder, stockReserved(orderId, customerId, eur(3_000)))
    await handle(db, settleAdjustment, reservationAdjusted(orderId, eur(2_000)))
    await handle(db, refundOrder, stockReleased(orderId))

    const res = await h.app.inject({ method: 'GET', url: `/payments?orderId=${orderId}` })

    expect(res.statusCode).toBe(200)
    const body = res.json<{ items: { createdAt: string }[] }>()
    expect(body).toEqual({
      orderId,
      items: [
        { paymentId: expect.any(String), kind: 'CHARGE', amount: eur(3_000), reason: 'order total', createdAt: expect.any(String) },
        { paymentId: expect.any(String), kind: 'REFUND', amount: eur(1_000), reason: 'adjusted', createdAt: expect.any(String) },
        { paymentId: expect.any(String), kind: 'REFUND', amount: eur(2_000), reason: 'released', createdAt: expect.any(String) },
      ],
      charged: eur(3_000),
      refunded: eur(3_000),
    })
    expect(body.items.every((i) => !Number.isNaN(Date.parse(i.createdAt)))).toBe(true)
  })

  it('shows a failed order with nothing charged', async () => {
    const db = h.app.db
    const customerId = await newCustomer(db, eur(10))
    const orderId = randomUUID()
    await handle(db, chargeOrder, stockReserved(orderId, customerId, eur(3_000)))

    const res = await h.app.inject({ method: 'GET', url: `/payments?orderId=${orderId}` })

    expect(res.json()).toEqual({ orderId, items: [], charged: eur(0), refunded: eur(0) })
  })

  it('answers an order it never saw with no items and null totals', async () => {
    const orderId = randomUUID()

    const res = await h.app.inject({ method: 'GET', url: `/payments?orderId=${orderId}` })

    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ orderId, items: [], charged: null, refunded: null })
  })

  it.each([
    ['no orderId', '/payments', 'orderId', 'required'],
    ['an empty orderId', '/payments?orderId=', 'orderId', 'minLength'],
    ['an orderId over 128 characters', `/payments?orderId=${'o'.repeat(129)}`, 'orderId', 'maxLength'],
    ['an unknown parameter', `/payments?orderId=x&page=2`, 'page', 'additionalProperties'],
  ])('refuses %s with 400 naming it', async (_case, url, field, rule) => {
    const res = await h.app.inject({ method: 'GET', url })

    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ error: 'validation', field, rule })
  })
})
