import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { Events } from '@choreo/contracts'
import { envelope, givenProduct, only, orderPlaced, paymentCompleted, react, reservationRow, stockOf, useStockApp } from '../testing/harness.ts'
import { shipAtOnce } from '../domain/fulfilment.ts'
import { carriers } from '../domain/carrier.ts'
import { recordPayment } from './record-payment.ts'
import { recordRefund } from './record-refund.ts'
import { releaseOnCancellation } from './release-stock.ts'
import { reserveStock } from './reserve-stock.ts'

const h = useStockApp('payment')

const eur = (amount: number) => ({ amount, currency: 'EUR' })

function paymentRefunded(orderId: string, amount: number, reason: string): Events['PaymentRefunded'] {
  return { ...envelope(orderId), paymentId: randomUUID(), refundId: randomUUID(), customerId: 'customer-1', amount: eur(amount), reason }
}

/** An order holding 3 × a at 1000: total 3000. */
async function reservedOrder() {
  const a = await givenProduct(h.app.db, 5, eur(1000))
  const orderId = randomUUID()
  only(await react(h.app.db, reserveStock, orderPlaced(orderId, [{ productId: a, quantity: 3 }])), 'StockReserved')
  return { orderId, a }
}

describe('payments and shipping', () => {
  it('waits for payments to cover the total, then ships: units leave, a shipment with a tracking number exists', async () => {
    const { orderId, a } = await reservedOrder()
    expect(await react(h.app.db, recordPayment(shipAtOnce), paymentCompleted(orderId, eur(1000)))).toEqual([])
    expect(await reservationRow(h.app.db, orderId)).toMatchObject({ status: 'RESERVED', paid_amount: '1000' })
    expect(await stockOf(h.app.db, a)).toEqual({ available: 2, reserved: 3 })

    const shipped = only(await react(h.app.db, recordPayment(shipAtOnce), paymentCompleted(orderId, eur(2000))), 'OrderShipped')
    const carrier = carriers.find((c) => c.name === shipped.carrier)
    expect(carrier).toBeDefined()
    expect(shipped.trackingNumber).toMatch(new RegExp(`^${carrier?.trackingPrefix}[0-9A-Z]{12}$`))
    expect(await stockOf(h.app.db, a)).toEqual({ available: 2, reserved: 0 })
    expect(await reservationRow(h.app.db, orderId)).toMatchObject({ status: 'SHIPPED', paid_amount: '3000' })
    expect(await h.app.db('shipments').where({ order_id: orderId })).toEqual([expect.objectContaining({
      shipment_id: shipped.shipmentId, carrier: shipped.carrier, tracking_number: shipped.trackingNumber, status: 'SHIPPED', delivered_at: null,
    })])
  })

  it('counts an adjusted refund against what was paid, so the order waits for more', async () => {
    const { orderId } = await reservedOrder()
    await react(h.app.db, recordPayment(shipAtOnce), paymentCompleted(orderId, eur(2000)))
    expect(await react(h.app.db, recordRefund, paymentRefunded(orderId, 500, 'adjusted'))).toEqual([])
    expect(await reservationRow(h.app.db, orderId)).toMatchObject({ paid_amount: '1500' })
    // 1500 + 1000 < 3000: without the refund counted this payment would ship.
    expect(await react(h.app.db, recordPayment(shipAtOnce), paymentCompleted(orderId, eur(1000)))).toEqual([])
    expect(await reservationRow(h.app.db, orderId)).toMatchObject({ status: 'RESERVED', paid_amount: '2500' })
  })

  it('counts a payment that arrives after the shipment, so what is paid stays the net charge, and ships nothing again', async () => {
    const { orderId } = await reservedOrder()
    only(await react(h.app.db, recordPayment(shipAtOnce), paymentCompleted(orderId, eur(3000))), 'OrderShipped')
    // A lowered total's refund, then a raised total's charge, both still in flight when it shipped.
    await react(h.app.db, recordRefund, paymentRefunded(orderId, 2000, 'adjusted'))
    expect(await react(h.app.db, recordPayment(shipAtOnce), paymentCompleted(orderId, eur(2000)))).toEqual([])
    expect(await reservationRow(h.app.db, orderId)).toMatchObject({ status: 'SHIPPED', paid_amount: '3000' })
    expect(await h.app.db('shipments').where({ order_id: orderId })).toHaveLength(1)
  })

  it('ignores a released refund of a released order: it settles an order that no longer ships', async () => {
    const { orderId } = await reservedOrder()
    await react(h.app.db, recordPayment(shipAtOnce), paymentCompleted(orderId, eur(2000)))
    only(await react(h.app.db, releaseOnCancellation, { ...envelope(orderId), reason: 'changed my mind', stage: 'PAID' }), 'StockReleased')
    expect(await react(h.app.db, recordRefund, paymentRefunded(orderId, 2000, 'released'))).toEqual([])
    expect(await reservationRow(h.app.db, orderId)).toMatchObject({ status: 'RELEASED', paid_amount: '2000' })
  })

  it('refuses a released refund of a reservation it still holds, keeping its containment: no longer paid for', async () => {
    const { orderId } = await reservedOrder()
    await react(h.app.db, recordPayment(shipAtOnce), paymentCompleted(orderId, eur(2000)))
    await expect(react(h.app.db, recordRefund, paymentRefunded(orderId, 2000, 'released')))
      .rejects.toMatchObject({ name: 'RefusedEvent', rule: 'refund-of-unreleased-reservation', containment: 'commit' })
  })

  it('never ships a released order, however much is paid', async () => {
    const { orderId, a } = await reservedOrder()
    only(await react(h.app.db, releaseOnCancellation, { ...envelope(orderId), reason: 'changed my mind', stage: 'STOCK_RESERVED' }), 'StockReleased')
    expect(await react(h.app.db, recordPayment(shipAtOnce), paymentCompleted(orderId, eur(3000)))).toEqual([])
    expect(await stockOf(h.app.db, a)).toEqual({ available: 5, reserved: 0 })
    expect(await h.app.db('shipments').where({ order_id: orderId })).toEqual([])
  })

  it('refuses a payment for an order it never reserved (payment charges only after StockReserved), changing nothing', async () => {
    const orderId = randomUUID()
    await expect(react(h.app.db, recordPayment(shipAtOnce), paymentCompleted(orderId, eur(3000)))).rejects.toMatchObject({ name: 'RefusedEvent', rule: 'payment-of-unreserved-order' })
    expect(await reservationRow(h.app.db, orderId)).toBeUndefined()
    expect(await h.app.db('shipments').where({ order_id: orderId })).toEqual([])
  })
})
