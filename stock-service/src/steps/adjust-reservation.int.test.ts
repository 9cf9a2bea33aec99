import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { Events, OrderLine } from '@choreo/contracts'
import { envelope, givenProduct, only, orderPlaced, paymentCompleted, react, reservationRow, stockOf, typesOf, useStockApp } from '../testing/harness.ts'
import { shipAtOnce } from '../domain/fulfilment.ts'
import { adjustReservation } from './adjust-reservation.ts'
import { recordPayment } from './record-payment.ts'
import { recordRefund } from './record-refund.ts'
import { onPaymentFailure, releaseOnCancellation } from './release-stock.ts'
import { reserveStock } from './reserve-stock.ts'

const h = useStockApp('adjust')

const eur = (amount: number) => ({ amount, currency: 'EUR' })

function modification(orderId: string, items: OrderLine[]): Events['OrderModificationRequested'] {
  return { ...envelope(orderId), modificationId: randomUUID(), items }
}

/** An order holding 2 × a (1000 each) and 1 × b (500): total 2500. */
async function reservedOrder() {
  const a = await givenProduct(h.app.db, 10, eur(1000))
  const b = await givenProduct(h.app.db, 5, eur(500))
  const orderId = randomUUID()
  only(await react(h.app.db, reserveStock, orderPlaced(orderId, [{ productId: a, quantity: 2 }, { productId: b, quantity: 1 }])), 'StockReserved')
  return { orderId, a, b }
}

describe('adjustReservation (OrderModificationRequested)', () => {
  it('raises one line, drops another, adds a third: stock follows and the total is recomputed', async () => {
    const { orderId, a, b } = await reservedOrder()
    const c = await givenProduct(h.app.db, 1, eur(70))
    const request = modification(orderId, [{ productId: a, quantity: 5 }, { productId: c, quantity: 1 }])
    const events = await react(h.app.db, adjustReservation(shipAtOnce), request)
    expect(typesOf(events)).toEqual(['ReservationAdjusted'])
    const adjusted = only(events, 'ReservationAdjusted')
    expect(adjusted).toMatchObject({ orderId, modificationId: request.modificationId, accepted: true, reason: null, shortLines: [], total: eur(5070) })
    expect(adjusted.lines).toEqual(expect.arrayContaining([{ productId: a, quantity: 5, unitPrice: eur(1000) }, { productId: c, quantity: 1, unitPrice: eur(70) }]))
    expect(adjusted.lines).toHaveLength(2)
    expect(await stockOf(h.app.db, a)).toEqual({ available: 5, reserved: 5 })
    // A raise: the b it dropped stays held until payment answers (the describe block below).
    expect(await stockOf(h.app.db, b)).toEqual({ available: 4, reserved: 1 })
    expect(await stockOf(h.app.db, c)).toEqual({ available: 0, reserved: 1 })
    expect(await reservationRow(h.app.db, orderId)).toMatchObject({ status: 'RESERVED', total_amount: '5070' })
    // Paid: the order total, then the raise's own charge (5070 − 2500).
    await react(h.app.db, recordPayment(shipAtOnce), paymentCompleted(orderId, eur(2500)))
    expect(await stockOf(h.app.db, b)).toEqual({ available: 4, reserved: 1 })
    await react(h.app.db, recordPayment(shipAtOnce), paymentCompleted(orderId, eur(2570)))
    expect(await stockOf(h.app.db, b)).toEqual({ available: 5, reserved: 0 })
  })

  it('lowers a quantity: units go back to available', async () => {
    const { orderId, a, b } = await reservedOrder()
    const adjusted = only(await react(h.app.db, adjustReservation(shipAtOnce), modification(orderId, [{ productId: a, quantity: 1 }, { productId: b, quantity: 1 }])), 'ReservationAdjusted')
    expect(adjusted).toMatchObject({ accepted: true, total: eur(1500) })
    expect(await stockOf(h.app.db, a)).toEqual({ available: 9, reserved: 1 })
  })

  it('refuses all of a modification it cannot reserve: nothing moves, the old lines stay, short lines named', async () => {
    const { orderId, a, b } = await reservedOrder()
    const c = await givenProduct(h.app.db, 3, eur(70))
    const events = await react(h.app.db, adjustReservation(shipAtOnce), modification(orderId, [{ productId: a, quantity: 11 }, { productId: c, quantity: 1 }]))
    const refused = only(events, 'ReservationAdjusted')
    expect(refused).toMatchObject({ accepted: false, reason: 'insufficient stock', total: eur(2500), shortLines: [{ productId: a, requested: 11, available: 10 }] })
    expect(refused.lines).toHaveLength(2)
    expect(await stockOf(h.app.db, a)).toEqual({ available: 8, reserved: 2 })
    expect(await stockOf(h.app.db, b)).toEqual({ available: 4, reserved: 1 })
    expect(await stockOf(h.app.db, c)).toEqual({ available: 3, reserved: 0 })
    const lines = await h.app.db('reservation_lines').where({ order_id: orderId }).select('product_id', 'quantity')
    expect(lines).toHaveLength(2)
    expect(lines).toEqual(expect.arrayContaining([{ product_id: a, quantity: 2 }, { product_id: b, quantity: 1 }]))
    expect(await reservationRow(h.app.db, orderId)).toMatchObject({ total_amount: '2500' })
  })

  it('ships at once when what was paid already covers a lowered total', async () => {
    const { orderId, a, b } = await reservedOrder()
    // 2000 paid of 2500: not enough to ship the original order.
    expect(await react(h.app.db, recordPayment(shipAtOnce), paymentCompleted(orderId, eur(2000)))).toEqual([])
    const events = await react(h.app.db, adjustReservation(shipAtOnce), modification(orderId, [{ productId: a, quantity: 2 }]))
    expect(typesOf(events)).toEqual(['ReservationAdjusted', 'OrderShipped'])
    expect(await stockOf(h.app.db, a)).toEqual({ available: 8, reserved: 0 })
    expect(await stockOf(h.app.db, b)).toEqual({ available: 5, reserved: 0 })
    expect(await reservationRow(h.app.db, orderId)).toMatchObject({ status: 'SHIPPED', total_amount: '2000' })
  })

  it('refuses a modification after the order shipped, reporting the shipped lines', async () => {
    const { orderId, a } = await reservedOrder()
    only(await react(h.app.db, recordPayment(shipAtOnce), paymentCompleted(orderId, eur(2500))), 'OrderShipped')
    const refused = only(await react(h.app.db, adjustReservation(shipAtOnce), modification(orderId, [{ productId: a, quantity: 1 }])), 'ReservationAdjusted')
    expect(refused).toMatchObject({ accepted: false, reason: 'already shipped', total: eur(2500), shortLines: [] })
    expect(refused.lines).toHaveLength(2)
    expect(await stockOf(h.app.db, a)).toEqual({ available: 8, reserved: 0 })
  })

  it('refuses a modification of a released or unknown order as having no active reservation', async () => {
    const { orderId, a } = await reservedOrder()
    only(await react(h.app.db, releaseOnCancellation, { ...envelope(orderId), reason: 'changed my mind', stage: 'STOCK_RESERVED' }), 'StockReleased')
    const released = only(await react(h.app.db, adjustReservation(shipAtOnce), modification(orderId, [{ productId: a, quantity: 1 }])), 'ReservationAdjusted')
    expect(released).toMatchObject({ accepted: false, reason: 'no active reservation', lines: [], total: eur(0) })
    expect(await stockOf(h.app.db, a)).toEqual({ available: 10, reserved: 0 })
    const unknown = only(await react(h.app.db, adjustReservation(shipAtOnce), modification(randomUUID(), [{ productId: a, quantity: 1 }])), 'ReservationAdjusted')
    expect(unknown).toMatchObject({ accepted: false, reason: 'no active reservation', lines: [], total: eur(0) })
  })
})

describe('a modification that raises the total, until payment answers it', () => {
  function paymentFailed(orderId: string, modificationId: string | null, amount: number): Events['PaymentFailed'] {
    return { ...envelope(orderId), reason: 'insufficient funds for modification', customerId: 'customer-1', amount: eur(amount), modificationId }
  }

  /** The 2 × a + 1 × b order, paid (2500), then modified to 4 × a and no b: total 4000, a raise of 1500. */
  async function raisedOrder() {
    const { orderId, a, b } = await reservedOrder()
    await react(h.app.db, recordPayment({ delayMs: 60_000 }), paymentCompleted(orderId, eur(2500)))
    const request = modification(orderId, [{ productId: a, quantity: 4 }])
    expect(only(await react(h.app.db, adjustReservation(shipAtOnce), request), 'ReservationAdjusted')).toMatchObject({ accepted: true, total: eur(4000) })
    return { orderId, a, b, modificationId: request.modificationId }
  }

  it('holds the units it dropped, as well as those it added, while the raise is unpaid', async () => {
    const { a, b } = await raisedOrder()
    expect(await stockOf(h.app.db, a)).toEqual({ available: 6, reserved: 4 })
    expect(await stockOf(h.app.db, b)).toEqual({ available: 4, reserved: 1 })
  })

  it('declined: goes back to the lines before it (ReservationAdjusted "payment declined"), the added units to the shelf, and ships what was paid for', async () => {
    const { orderId, a, b, modificationId } = await raisedOrder()
    const events = await react(h.app.db, onPaymentFailure(shipAtOnce), paymentFailed(orderId, modificationId, 1500))
    expect(typesOf(events)).toEqual(['ReservationAdjusted', 'OrderShipped'])
    const undone = only(events, 'ReservationAdjusted')
    expect(undone).toMatchObject({ orderId, modificationId, accepted: false, reason: 'payment declined', total: eur(2500), shortLines: [] })
    expect(undone.lines).toEqual(expect.arrayContaining([{ productId: a, quantity: 2, unitPrice: eur(1000) }, { productId: b, quantity: 1, unitPrice: eur(500) }]))
    expect(await reservationRow(h.app.db, orderId)).toMatchObject({ status: 'SHIPPED', total_amount: '2500' })
    // Shipped: the 2 a and the 1 b left the warehouse, nothing is left reserved.
    expect(await stockOf(h.app.db, a)).toEqual({ available: 8, reserved: 0 })
    expect(await stockOf(h.app.db, b)).toEqual({ available: 4, reserved: 0 })
    // Answered once: a second failure of the same modification finds nothing to undo.
    expect(await react(h.app.db, onPaymentFailure(shipAtOnce), paymentFailed(orderId, modificationId, 1500))).toEqual([])
  })

  it('refuses a further modification while the raise awaits payment', async () => {
    const { orderId, a } = await raisedOrder()
    const refused = only(await react(h.app.db, adjustReservation(shipAtOnce), modification(orderId, [{ productId: a, quantity: 1 }])), 'ReservationAdjusted')
    expect(refused).toMatchObject({ accepted: false, reason: 'an earlier modification awaits payment', total: eur(4000) })
    expect(await stockOf(h.app.db, a)).toEqual({ available: 6, reserved: 4 })
  })

  it('released meanwhile (a cancel): gives back the lines and the held units alike', async () => {
    const { orderId, a, b } = await raisedOrder()
    only(await react(h.app.db, releaseOnCancellation, { ...envelope(orderId), reason: 'changed my mind', stage: 'PAID' }), 'StockReleased')
    expect(await stockOf(h.app.db, a)).toEqual({ available: 10, reserved: 0 })
    expect(await stockOf(h.app.db, b)).toEqual({ available: 5, reserved: 0 })
  })

  it('does not take an older payment arriving late for the raise\'s: nothing ships until payment answers the raise', async () => {
    const { orderId, a, b } = await reservedOrder()
    // Lowered to 1 × a and 1 × b (1500), then raised to 2 × a (2000), before stock has seen the
    // order's charge of 2500, or the refund of 1000 that follows the lowering.
    only(await react(h.app.db, adjustReservation(shipAtOnce), modification(orderId, [{ productId: a, quantity: 1 }, { productId: b, quantity: 1 }])), 'ReservationAdjusted')
    const raise = modification(orderId, [{ productId: a, quantity: 2 }])
    expect(only(await react(h.app.db, adjustReservation(shipAtOnce), raise), 'ReservationAdjusted')).toMatchObject({ accepted: true, total: eur(2000) })
    // paid 2500 ≥ 2000, but it is not the raise's charge: no shipment, the b still held.
    expect(await react(h.app.db, recordPayment(shipAtOnce), paymentCompleted(orderId, eur(2500)))).toEqual([])
    expect(await stockOf(h.app.db, b)).toEqual({ available: 4, reserved: 1 })
    await react(h.app.db, recordRefund, { ...envelope(orderId), paymentId: randomUUID(), refundId: randomUUID(), customerId: 'customer-1', amount: eur(1000), reason: 'adjusted' })
    // Payment declines the raise: back to 1 × a and 1 × b, paid for, and shipped.
    expect(typesOf(await react(h.app.db, onPaymentFailure(shipAtOnce), paymentFailed(orderId, raise.modificationId, 500)))).toEqual(['ReservationAdjusted', 'OrderShipped'])
    expect(await reservationRow(h.app.db, orderId)).toMatchObject({ status: 'SHIPPED', total_amount: '1500', paid_amount: '1500' })
    expect(await stockOf(h.app.db, a)).toEqual({ available: 9, reserved: 0 })
    expect(await stockOf(h.app.db, b)).toEqual({ available: 4, reserved: 0 })
  })
})
