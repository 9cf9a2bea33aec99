import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { bearerAs } from '@choreo/testkit'
import { eur, handle, adjusted, usePaymentApp, stockReleased, placeAndCharge } from '../../testing/harness.ts'
import { refundOrder } from '../../steps/refund-order.ts'
import { settleAdjustment } from '../../steps/settle-adjustment.ts'

const admin = bearerAs('ops', 'admin')

describe('payments of an order over HTTP', () => {
  const h = usePaymentApp('payments')

  it('lists every charge and refund of the order, oldest first, with the totals', async () => {
    const db = h.app.db
    const { orderId } = await placeAndCharge(db, 10_000, eur(3_000))
    await handle(db, settleAdjustment, await adjusted(db, orderId, eur(2_000)))
    await handle(db, refundOrder, stockReleased(orderId))

    const res = await h.app.inject({ headers: admin, method: 'GET', url: `/payments?orderId=${orderId}` })

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
    const { orderId } = await placeAndCharge(db, 10, eur(3_000))

    const res = await h.app.inject({ headers: admin, method: 'GET', url: `/payments?orderId=${orderId}` })

    expect(res.json()).toEqual({ orderId, items: [], charged: eur(0), refunded: eur(0) })
  })

  it('answers an order it never saw with no items and null totals', async () => {
    const orderId = randomUUID()

    const res = await h.app.inject({ headers: admin, method: 'GET', url: `/payments?orderId=${orderId}` })

    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ orderId, items: [], charged: null, refunded: null })
  })

  it.each([
    ['no orderId', '/payments', 'orderId', 'required'],
    ['an empty orderId', '/payments?orderId=', 'orderId', 'pattern'],
    ['an orderId over 64 characters', `/payments?orderId=${'o'.repeat(65)}`, 'orderId', 'maxLength'],
    ['an orderId with a NUL', '/payments?orderId=x%00y', 'orderId', 'pattern'],
    ['an unknown parameter', `/payments?orderId=x&page=2`, 'page', 'additionalProperties'],
  ])('refuses %s with 400 naming it', async (_case, url, field, rule) => {
    const res = await h.app.inject({ headers: admin, method: 'GET', url })

    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ error: 'validation', field, rule })
  })

  describe('who may see them', () => {
    it("the customer charged for the order sees its payments; another customer, or one for an order never charged, gets 404", async () => {
      const db = h.app.db
      const { customerId, orderId } = await placeAndCharge(db, 10_000, eur(3_000))

      const own = await h.app.inject({ headers: bearerAs(customerId), url: `/payments?orderId=${orderId}` })
      expect(own.statusCode).toBe(200)
      expect(own.json()).toMatchObject({ orderId, charged: eur(3_000) })
      const theirs = await h.app.inject({ headers: bearerAs('someone-else'), url: `/payments?orderId=${orderId}` })
      const unseen = await h.app.inject({ headers: bearerAs(customerId), url: `/payments?orderId=${randomUUID()}` })
      expect([theirs.statusCode, unseen.statusCode]).toEqual([404, 404])
      expect(theirs.json()).toMatchObject({ error: 'not_found', field: 'orderId' })
    })

    it('an anonymous caller gets 401', async () => {
      expect((await h.app.inject({ url: `/payments?orderId=${randomUUID()}` })).statusCode).toBe(401)
    })
  })
})
