import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { balanceOf, countRows, eur, expectMoneyConserved, handle, newCustomer, usePaymentApp, reserved, placeAndCharge } from '../testing/harness.ts'
import { findOrderPayment } from '../repositories/order-payments.ts'
import { chargeOrder } from './charge-order.ts'

describe('StockReserved: charging the order total', () => {
  const h = usePaymentApp('charge')

  it('charges the total when the balance covers it', async () => {
    const db = h.app.db
    const customerId = await newCustomer(db, eur(10_000))
    const orderId = randomUUID()

    const emitted = await handle(db, chargeOrder, await reserved(db, orderId, customerId, eur(2_500)))

    expect(emitted).toHaveLength(1)
    const [event] = emitted
    expect(event?.type).toBe('PaymentCompleted')
    const paymentId = event?.type === 'PaymentCompleted' ? event.data.paymentId : ''
    expect(event?.data).toEqual({ orderId, paymentId, customerId, amount: eur(2_500) })
    expect(await balanceOf(db, customerId)).toBe(7_500)
    expect(await findOrderPayment(db, orderId)).toEqual({ orderId, customerId, currency: 'EUR', state: 'OPEN', charged: 2_500, refunded: 0, firstPaymentId: paymentId })
    expect(await countRows(db, 'payments', { payment_id: paymentId, kind: 'CHARGE', amount: 2_500 })).toBe(1)
    await expectMoneyConserved(db, customerId, 10_000)
  })

  it('charges a total equal to the whole balance, leaving zero', async () => {
    const db = h.app.db
    const customerId = await newCustomer(db, eur(1_000))

    const [event] = await handle(db, chargeOrder, await reserved(db, randomUUID(), customerId, eur(1_000)))

    expect(event?.type).toBe('PaymentCompleted')
    expect(await balanceOf(db, customerId)).toBe(0)
    await expectMoneyConserved(db, customerId, 1_000)
  })

  it('fails without charging when the balance is short, and records the order as FAILED', async () => {
    const db = h.app.db
    const customerId = await newCustomer(db, eur(1_000))
    const orderId = randomUUID()

    const emitted = await handle(db, chargeOrder, await reserved(db, orderId, customerId, eur(1_001)))

    expect(emitted).toEqual([{ type: 'PaymentFailed', data: { orderId, reason: 'insufficient funds', customerId, amount: eur(1_001), modificationId: null } }])
    expect(await balanceOf(db, customerId)).toBe(1_000)
    expect(await countRows(db, 'payments', { order_id: orderId })).toBe(0)
    expect(await findOrderPayment(db, orderId)).toMatchObject({ state: 'FAILED', charged: 0, refunded: 0, firstPaymentId: null })
    await expectMoneyConserved(db, customerId, 1_000)
  })

  it('fails for an unknown customer, recording the order so its release can be answered', async () => {
    const db = h.app.db
    const orderId = randomUUID()

    const emitted = await handle(db, chargeOrder, await reserved(db, orderId, 'nobody', eur(500)))

    expect(emitted).toEqual([{ type: 'PaymentFailed', data: { orderId, reason: 'unknown customer', customerId: 'nobody', amount: eur(500), modificationId: null } }])
    expect(await countRows(db, 'customers', { customer_id: 'nobody' })).toBe(0)
    expect(await findOrderPayment(db, orderId)).toMatchObject({ customerId: 'nobody', currency: 'EUR', state: 'FAILED', charged: 0 })
  })

  it('fails when the order is priced in another currency than the balance', async () => {
    const db = h.app.db
    const customerId = await newCustomer(db, eur(10_000))
    const orderId = randomUUID()

    const emitted = await handle(db, chargeOrder, await reserved(db, orderId, customerId, { amount: 500, currency: 'USD' }))

    expect(emitted).toEqual([{ type: 'PaymentFailed', data: { orderId, reason: 'currency mismatch', customerId, amount: { amount: 500, currency: 'USD' }, modificationId: null } }])
    expect(await balanceOf(db, customerId)).toBe(10_000)
    expect(await findOrderPayment(db, orderId)).toMatchObject({ state: 'FAILED', charged: 0 })
  })

  it('charges an order once even if StockReserved comes again', async () => {
    const db = h.app.db
    const { customerId, orderId } = await placeAndCharge(db, 10_000, eur(3_000))

    expect(await handle(db, chargeOrder, await reserved(db, orderId, customerId, eur(3_000)))).toEqual([])
    expect(await balanceOf(db, customerId)).toBe(7_000)
    await expectMoneyConserved(db, customerId, 10_000)
  })

  it('lets exactly one of two concurrent orders win when together they exceed the balance', async () => {
    const db = h.app.db
    for (let round = 0; round < 5; round++) {
      const customerId = await newCustomer(db, eur(1_000))
      const results = await Promise.all([
        handle(db, chargeOrder, await reserved(db, randomUUID(), customerId, eur(600))),
        handle(db, chargeOrder, await reserved(db, randomUUID(), customerId, eur(600))),
      ])

      expect(results.map(([e]) => e?.type).sort()).toEqual(['PaymentCompleted', 'PaymentFailed'])
      expect(await balanceOf(db, customerId)).toBe(400)
      await expectMoneyConserved(db, customerId, 1_000)
    }
  })
})
