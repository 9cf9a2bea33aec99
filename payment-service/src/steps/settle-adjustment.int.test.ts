import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { Money } from '@choreo/contracts'
import { balanceOf, countRows, eur, expectMoneyConserved, handle, newCustomer, adjusted, usePaymentApp, reserved, placeAndCharge } from '../testing/harness.ts'
import { findOrderPayment } from '../repositories/order-payments.ts'
import { chargeOrder } from './charge-order.ts'
import { settleAdjustment } from './settle-adjustment.ts'

describe('ReservationAdjusted: settling a modified order', () => {
  const h = usePaymentApp('adjust')

  /** A customer with `opening`, whose new order was charged `total`. */
  async function chargedOrder(opening: number, total: Money) {
    const db = h.app.db
    const { customerId, orderId, paymentId } = await placeAndCharge(db, opening, total)
    if (paymentId === null) throw new Error('setup: the first charge failed')
    return { db, customerId, orderId, firstPaymentId: paymentId }
  }

  it('charges the rise when the new total is higher', async () => {
    const { db, customerId, orderId, firstPaymentId } = await chargedOrder(10_000, eur(3_000))

    const emitted = await handle(db, settleAdjustment, await adjusted(db, orderId, eur(4_000)))

    expect(emitted).toHaveLength(1)
    const [event] = emitted
    expect(event?.type).toBe('PaymentCompleted')
    expect(event?.data).toMatchObject({ orderId, customerId, amount: eur(1_000) })
    expect(event?.type === 'PaymentCompleted' && event.data.paymentId).not.toBe(firstPaymentId)
    expect(await balanceOf(db, customerId)).toBe(6_000)
    expect(await findOrderPayment(db, orderId)).toMatchObject({ state: 'OPEN', charged: 4_000, refunded: 0, firstPaymentId })
    await expectMoneyConserved(db, customerId, 10_000)
  })

  it('fails the modification, not the order, when the balance cannot cover the rise, charging nothing more', async () => {
    const { db, customerId, orderId } = await chargedOrder(3_500, eur(3_000))
    const event = await adjusted(db, orderId, eur(4_000))

    const emitted = await handle(db, settleAdjustment, event)

    expect(emitted).toEqual([{ type: 'PaymentFailed', data: { orderId, reason: 'insufficient funds for modification', customerId, amount: eur(1_000), modificationId: event.modificationId } }])
    expect(await balanceOf(db, customerId)).toBe(500)
    // Still OPEN: stock goes back to the lines charged for, and they may be modified again.
    expect(await findOrderPayment(db, orderId)).toMatchObject({ state: 'OPEN', charged: 3_000, refunded: 0 })
    await expectMoneyConserved(db, customerId, 3_500)
  })

  it('refunds the fall when the new total is lower, naming the first charge', async () => {
    const { db, customerId, orderId, firstPaymentId } = await chargedOrder(10_000, eur(3_000))

    const emitted = await handle(db, settleAdjustment, await adjusted(db, orderId, eur(2_000)))

    expect(emitted).toHaveLength(1)
    const [event] = emitted
    expect(event?.type).toBe('PaymentRefunded')
    expect(event?.data).toMatchObject({ orderId, paymentId: firstPaymentId, customerId, amount: eur(1_000), reason: 'adjusted' })
    const refundId = event?.type === 'PaymentRefunded' ? event.data.refundId : ''
    expect(await countRows(db, 'payments', { payment_id: refundId, kind: 'REFUND', amount: 1_000, reason: 'adjusted' })).toBe(1)
    expect(await balanceOf(db, customerId)).toBe(8_000)
    expect(await findOrderPayment(db, orderId)).toMatchObject({ state: 'OPEN', charged: 3_000, refunded: 1_000 })
    await expectMoneyConserved(db, customerId, 10_000)
  })

  it('settles against what was paid net of earlier refunds', async () => {
    const { db, customerId, orderId } = await chargedOrder(10_000, eur(3_000))
    await handle(db, settleAdjustment, await adjusted(db, orderId, eur(2_000)))

    const [event] = await handle(db, settleAdjustment, await adjusted(db, orderId, eur(2_500)))

    expect(event).toMatchObject({ type: 'PaymentCompleted', data: { amount: eur(500) } })
    expect(await balanceOf(db, customerId)).toBe(7_500)
    expect(await findOrderPayment(db, orderId)).toMatchObject({ charged: 3_500, refunded: 1_000 })
    await expectMoneyConserved(db, customerId, 10_000)
  })

  it('does nothing when stock refused the modification', async () => {
    const { db, customerId, orderId } = await chargedOrder(10_000, eur(3_000))

    expect(await handle(db, settleAdjustment, await adjusted(db, orderId, eur(5_000), false))).toEqual([])
    expect(await balanceOf(db, customerId)).toBe(7_000)
    expect(await findOrderPayment(db, orderId)).toMatchObject({ state: 'OPEN', charged: 3_000, refunded: 0 })
  })

  it('does nothing when the total is unchanged', async () => {
    const { db, customerId, orderId } = await chargedOrder(10_000, eur(3_000))

    expect(await handle(db, settleAdjustment, await adjusted(db, orderId, eur(3_000)))).toEqual([])
    expect(await balanceOf(db, customerId)).toBe(7_000)
    expect(await countRows(db, 'payments', { order_id: orderId })).toBe(1)
  })

  it('does nothing for an order whose payment failed, or that it never charged', async () => {
    const db = h.app.db
    const customerId = await newCustomer(db, eur(100))
    const failed = randomUUID()
    await handle(db, chargeOrder, await reserved(db, failed, customerId, eur(1_000)))

    expect(await handle(db, settleAdjustment, await adjusted(db, failed, eur(50)))).toEqual([])
    expect(await handle(db, settleAdjustment, await adjusted(db, randomUUID(), eur(50)))).toEqual([])
    expect(await balanceOf(db, customerId)).toBe(100)
    expect(await findOrderPayment(db, failed)).toMatchObject({ state: 'FAILED', charged: 0, refunded: 0 })
  })

  it('fails the modification rather than mix currencies', async () => {
    const { db, customerId, orderId } = await chargedOrder(10_000, eur(3_000))

    const emitted = await handle(db, settleAdjustment, await adjusted(db, orderId, { amount: 2_000, currency: 'USD' }))

    expect(emitted).toEqual([{ type: 'PaymentFailed', data: { orderId, reason: 'currency mismatch', customerId, amount: { amount: 2_000, currency: 'USD' }, modificationId: null } }])
    expect(await balanceOf(db, customerId)).toBe(7_000)
    expect(await findOrderPayment(db, orderId)).toMatchObject({ state: 'FAILED', charged: 3_000, refunded: 0 })
  })
})
