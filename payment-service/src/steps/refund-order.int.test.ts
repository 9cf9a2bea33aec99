import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { RefusedEvent } from '@choreo/messaging'
import { balanceOf, countRows, eur, expectMoneyConserved, handle, orderShipped, adjusted, usePaymentApp, stockReleased, placeAndCharge } from '../testing/harness.ts'
import { findOrderPayment } from '../repositories/order-payments.ts'
import { recordShipment } from './record-shipment.ts'
import { refundOrder } from './refund-order.ts'
import { settleAdjustment } from './settle-adjustment.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

describe('StockReleased: refunding the order in full', () => {
  const h = usePaymentApp('refund')

  it('refunds everything charged and settles the order', async () => {
    const db = h.app.db
    const { customerId, orderId, paymentId } = await placeAndCharge(db, 10_000, eur(3_000))

    const emitted = await handle(db, refundOrder, stockReleased(orderId))

    expect(emitted).toHaveLength(1)
    const [event] = emitted
    expect(event).toMatchObject({ type: 'PaymentRefunded', data: { orderId, paymentId, customerId, amount: eur(3_000), reason: 'released' } })
    const refundId = event?.type === 'PaymentRefunded' ? event.data.refundId : ''
    expect(await countRows(db, 'payments', { payment_id: refundId, kind: 'REFUND', amount: 3_000, reason: 'released' })).toBe(1)
    expect(await balanceOf(db, customerId)).toBe(10_000)
    expect(await findOrderPayment(db, orderId)).toMatchObject({ state: 'SETTLED', charged: 3_000, refunded: 3_000 })
    await expectMoneyConserved(db, customerId, 10_000)
  })

  it('refuses a release of an order that shipped: nothing refunded, the order as it was', async () => {
    const db = h.app.db
    const { customerId, orderId } = await placeAndCharge(db, 10_000, eur(3_000))
    expect(await handle(db, recordShipment, orderShipped(orderId))).toEqual([])
    const before = await findOrderPayment(db, orderId)

    await expect(handle(db, refundOrder, stockReleased(orderId))).rejects.toEqual(expect.objectContaining({ name: 'RefusedEvent', rule: 'release-after-shipment' }))
    await expect(handle(db, refundOrder, stockReleased(orderId))).rejects.toBeInstanceOf(RefusedEvent)

    expect(await findOrderPayment(db, orderId)).toEqual(before)
    expect(await countRows(db, 'payments', { order_id: orderId, kind: 'REFUND' })).toBe(0)
    expect(await balanceOf(db, customerId)).toBe(7_000)
    await expectMoneyConserved(db, customerId, 10_000)
  })

  it('refunds only what is still charged after adjustments', async () => {
    const db = h.app.db
    const { customerId, orderId } = await placeAndCharge(db, 10_000, eur(3_000))
    await handle(db, settleAdjustment, await adjusted(db, orderId, eur(2_000)))
    await handle(db, settleAdjustment, await adjusted(db, orderId, eur(2_600)))

    const [event] = await handle(db, refundOrder, stockReleased(orderId))

    expect(event).toMatchObject({ type: 'PaymentRefunded', data: { amount: eur(2_600), reason: 'released' } })
    expect(await balanceOf(db, customerId)).toBe(10_000)
    expect(await findOrderPayment(db, orderId)).toMatchObject({ state: 'SETTLED', charged: 3_600, refunded: 3_600 })
    await expectMoneyConserved(db, customerId, 10_000)
  })

  it('refunds the original charge of an order whose modification could not be paid', async () => {
    const db = h.app.db
    const { customerId, orderId } = await placeAndCharge(db, 3_500, eur(3_000))
    await handle(db, settleAdjustment, await adjusted(db, orderId, eur(4_000)))

    const [event] = await handle(db, refundOrder, stockReleased(orderId))

    expect(event).toMatchObject({ type: 'PaymentRefunded', data: { amount: eur(3_000), reason: 'released' } })
    expect(await balanceOf(db, customerId)).toBe(3_500)
    await expectMoneyConserved(db, customerId, 3_500)
  })

  it('answers a failed payment with a refund of 0, so the cancellation can complete', async () => {
    const db = h.app.db
    const { customerId, orderId } = await placeAndCharge(db, 100, eur(1_000))

    const emitted = await handle(db, refundOrder, stockReleased(orderId))

    expect(emitted).toHaveLength(1)
    const [event] = emitted
    expect(event).toMatchObject({ type: 'PaymentRefunded', data: { orderId, paymentId: null, customerId, amount: eur(0), reason: 'released' } })
    expect(event?.type === 'PaymentRefunded' && event.data.refundId).toMatch(UUID)
    expect(await countRows(db, 'payments', { order_id: orderId })).toBe(0)
    expect(await balanceOf(db, customerId)).toBe(100)
    expect(await findOrderPayment(db, orderId)).toMatchObject({ state: 'SETTLED', charged: 0, refunded: 0 })
  })

  it('refunds once: a second StockReleased emits nothing and credits nothing', async () => {
    const db = h.app.db
    const { customerId, orderId } = await placeAndCharge(db, 10_000, eur(3_000))
    await handle(db, refundOrder, stockReleased(orderId))

    expect(await handle(db, refundOrder, stockReleased(orderId))).toEqual([])
    expect(await balanceOf(db, customerId)).toBe(10_000)
    expect(await countRows(db, 'payments', { order_id: orderId, kind: 'REFUND' })).toBe(1)
    await expectMoneyConserved(db, customerId, 10_000)
  })

  it('no longer adjusts an order once it is settled', async () => {
    const db = h.app.db
    const { customerId, orderId } = await placeAndCharge(db, 10_000, eur(3_000))
    await handle(db, refundOrder, stockReleased(orderId))

    expect(await handle(db, settleAdjustment, await adjusted(db, orderId, eur(1_000)))).toEqual([])
    expect(await balanceOf(db, customerId)).toBe(10_000)
  })

  it('answers a release of an order it never saw with one refund of 0 to an unknown customer', async () => {
    const db = h.app.db
    const orderId = randomUUID()

    const emitted = await handle(db, refundOrder, stockReleased(orderId))

    expect(emitted).toMatchObject([{ type: 'PaymentRefunded', data: { orderId, paymentId: null, customerId: 'unknown', amount: { amount: 0, currency: 'XXX' }, reason: 'released' } }])
    expect(await handle(db, refundOrder, stockReleased(orderId))).toEqual([])
  })
})
