import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { Events } from '@choreo/contracts'
import { envelope, givenProduct, only, orderPlaced, paymentCompleted, react, reservationRow, stockOf, useStockApp } from '../testing/harness.ts'
import { shipAtOnce } from '../domain/fulfilment.ts'
import { recordPayment } from './record-payment.ts'
import { onPaymentFailure, releaseOnCancellation } from './release-stock.ts'
import { reserveStock } from './reserve-stock.ts'

const h = useStockApp('release')

const eur = (amount: number) => ({ amount, currency: 'EUR' })

function cancellation(orderId: string): Events['OrderCancellationRequested'] {
  return { ...envelope(orderId), reason: 'changed my mind', stage: 'STOCK_RESERVED' }
}

function paymentFailed(orderId: string, modificationId: string | null = null): Events['PaymentFailed'] {
  return { ...envelope(orderId), reason: 'card declined', customerId: 'customer-1', amount: eur(3000), modificationId }
}

async function reservedOrder() {
  const a = await givenProduct(h.app.db, 4, eur(1000))
  const orderId = randomUUID()
  only(await react(h.app.db, reserveStock, orderPlaced(orderId, [{ productId: a, quantity: 3 }])), 'StockReserved')
  return { orderId, a }
}

describe('releasing a reservation', () => {
  it('on cancellation gives every unit back and says why', async () => {
    const { orderId, a } = await reservedOrder()
    const released = only(await react(h.app.db, releaseOnCancellation, cancellation(orderId)), 'StockReleased')
    expect(released).toEqual({ orderId, reason: 'cancelled: changed my mind', lines: [{ productId: a, quantity: 3 }] })
    expect(await stockOf(h.app.db, a)).toEqual({ available: 4, reserved: 0 })
    expect(await reservationRow(h.app.db, orderId)).toMatchObject({ status: 'RELEASED' })
  })

  it('on a failed payment gives every unit back and says why', async () => {
    const { orderId, a } = await reservedOrder()
    const released = only(await react(h.app.db, onPaymentFailure(shipAtOnce), paymentFailed(orderId)), 'StockReleased')
    expect(released.reason).toBe('payment failed: card declined')
    expect(await stockOf(h.app.db, a)).toEqual({ available: 4, reserved: 0 })
  })

  it('happens once: a second cancellation finds nothing to release', async () => {
    const { orderId, a } = await reservedOrder()
    only(await react(h.app.db, releaseOnCancellation, cancellation(orderId)), 'StockReleased')
    expect(await react(h.app.db, onPaymentFailure(shipAtOnce), paymentFailed(orderId))).toEqual([])
    expect(await stockOf(h.app.db, a)).toEqual({ available: 4, reserved: 0 })
  })

  it('does nothing for a shipped order: shipping won the race', async () => {
    const { orderId, a } = await reservedOrder()
    only(await react(h.app.db, recordPayment(shipAtOnce), paymentCompleted(orderId, eur(3000))), 'OrderShipped')
    expect(await react(h.app.db, releaseOnCancellation, cancellation(orderId))).toEqual([])
    expect(await react(h.app.db, onPaymentFailure(shipAtOnce), paymentFailed(orderId))).toEqual([])
    expect(await stockOf(h.app.db, a)).toEqual({ available: 1, reserved: 0 })
    expect(await reservationRow(h.app.db, orderId)).toMatchObject({ status: 'SHIPPED' })
  })

  it('does nothing for a cancellation of an order that was never reserved: its reservation failed, and the order knows', async () => {
    expect(await react(h.app.db, releaseOnCancellation, cancellation(randomUUID()))).toEqual([])
  })

  it('refuses a failed payment of an order it never reserved: payment fails only what stock reserved', async () => {
    const orderId = randomUUID()
    await expect(react(h.app.db, onPaymentFailure(shipAtOnce), paymentFailed(orderId))).rejects.toMatchObject({ name: 'RefusedEvent', rule: 'payment-of-unreserved-order' })
    expect(await reservationRow(h.app.db, orderId)).toBeUndefined()
  })
})
