import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Events, OrderLine } from '@choreo/contracts'
import { envelope, givenProduct, only, orderPlaced, paymentCompleted, react, reservationRow, startStockApp, stockOf, typesOf, type StockApp } from '../testing/harness.ts'
import { shipAtOnce } from '../domain/fulfilment.ts'
import { adjustReservation } from './adjust-reservation.ts'
import { recordPayment } from './record-payment.ts'
import { releaseOnCancellation } from './release-stock.ts'
import { reserveStock } from './reserve-stock.ts'

let app: StockApp
let close: () => Promise<void>
beforeAll(async () => ({ app, close } = await startStockApp('stock-adjust')))
afterAll(async () => close?.())

const eur = (amount: number) => ({ amount, currency: 'EUR' })

function modification(orderId: string, items: OrderLine[]): Events['OrderModificationRequested'] {
  return { ...envelope(orderId), modificationId: randomUUID(), items }
}

/** An order holding 2 × a (1000 each) and 1 × b (500): total 2500. */
async function reservedOrder() {
  const a = await givenProduct(app.db, 10, eur(1000))
  const b = await givenProduct(app.db, 5, eur(500))
  const orderId = randomUUID()
  only(await react(app.db, reserveStock, orderPlaced(orderId, [{ productId: a, quantity: 2 }, { productId: b, quantity: 1 }])), 'StockReserved')
  return { orderId, a, b }
}

describe('adjustReservation (OrderModificationRequested)', () => {
  it('raises one line, drops another, adds a third: stock follows and the total is recomputed', async () => {
    const { orderId, a, b } = await reservedOrder()
    const c = await givenProduct(app.db, 1, eur(70))
    const request = modification(orderId, [{ productId: a, quantity: 5 }, { productId: c, quantity: 1 }])
    const events = await react(app.db, adjustReservation(shipAtOnce), request)
    expect(typesOf(events)).toEqual(['ReservationAdjusted'])
    const adjusted = only(events, 'ReservationAdjusted')
    expect(adjusted).toMatchObject({ orderId, modificationId: request.modificationId, accepted: true, reason: null, shortLines: [], total: eur(5070) })
    expect(adjusted.lines).toEqual(expect.arrayContaining([{ productId: a, quantity: 5, unitPrice: eur(1000) }, { productId: c, quantity: 1, unitPrice: eur(70) }]))
    expect(adjusted.lines).toHaveLength(2)
    expect(await stockOf(app.db, a)).toEqual({ available: 5, reserved: 5 })
    expect(await stockOf(app.db, b)).toEqual({ available: 5, reserved: 0 })
    expect(await stockOf(app.db, c)).toEqual({ available: 0, reserved: 1 })
    expect(await reservationRow(app.db, orderId)).toMatchObject({ status: 'RESERVED', total_amount: '5070' })
  })

  it('lowers a quantity: units go back to available', async () => {
    const { orderId, a, b } = await reservedOrder()
    const adjusted = only(await react(app.db, adjustReservation(shipAtOnce), modification(orderId, [{ productId: a, quantity: 1 }, { productId: b, quantity: 1 }])), 'ReservationAdjusted')
    expect(adjusted).toMatchObject({ accepted: true, total: eur(1500) })
    expect(await stockOf(app.db, a)).toEqual({ available: 9, reserved: 1 })
  })

  it('refuses all of a modification it cannot reserve: nothing moves, the old lines stay, short lines named', async () => {
    const { orderId, a, b } = await reservedOrder()
    const c = await givenProduct(app.db, 3, eur(70))
    const events = await react(app.db, adjustReservation(shipAtOnce), modification(orderId, [{ productId: a, quantity: 11 }, { productId: c, quantity: 1 }]))
    const refused = only(events, 'ReservationAdjusted')
    expect(refused).toMatchObject({ accepted: false, reason: 'insufficient stock', total: eur(2500), shortLines: [{ productId: a, requested: 11, available: 10 }] })
    expect(refused.lines).toHaveLength(2)
    expect(await stockOf(app.db, a)).toEqual({ available: 8, reserved: 2 })
    expect(await stockOf(app.db, b)).toEqual({ available: 4, reserved: 1 })
    expect(await stockOf(app.db, c)).toEqual({ available: 3, reserved: 0 })
    const lines = await app.db('reservation_lines').where({ order_id: orderId }).select('product_id', 'quantity')
    expect(lines).toHaveLength(2)
    expect(lines).toEqual(expect.arrayContaining([{ product_id: a, quantity: 2 }, { product_id: b, quantity: 1 }]))
    expect(await reservationRow(app.db, orderId)).toMatchObject({ total_amount: '2500' })
  })

  it('ships at once when what was paid already covers a lowered total', async () => {
    const { orderId, a, b } = await reservedOrder()
    // 2000 paid of 2500: not enough to ship the original order.
    expect(await react(app.db, recordPayment(shipAtOnce), paymentCompleted(orderId, eur(2000)))).toEqual([])
    const events = await react(app.db, adjustReservation(shipAtOnce), modification(orderId, [{ productId: a, quantity: 2 }]))
    expect(typesOf(events)).toEqual(['ReservationAdjusted', 'OrderShipped'])
    expect(await stockOf(app.db, a)).toEqual({ available: 8, reserved: 0 })
    expect(await stockOf(app.db, b)).toEqual({ available: 5, reserved: 0 })
    expect(await reservationRow(app.db, orderId)).toMatchObject({ status: 'SHIPPED', total_amount: '2000' })
  })

  it('refuses a modification after the order shipped, reporting the shipped lines', async () => {
    const { orderId, a } = await reservedOrder()
    only(await react(app.db, recordPayment(shipAtOnce), paymentCompleted(orderId, eur(2500))), 'OrderShipped')
    const refused = only(await react(app.db, adjustReservation(shipAtOnce), modification(orderId, [{ productId: a, quantity: 1 }])), 'ReservationAdjusted')
    expect(refused).toMatchObject({ accepted: false, reason: 'already shipped', total: eur(2500), shortLines: [] })
    expect(refused.lines).toHaveLength(2)
    expect(await stockOf(app.db, a)).toEqual({ available: 8, reserved: 0 })
  })

  it('refuses a modification of a released or unknown order as having no active reservation', async () => {
    const { orderId, a } = await reservedOrder()
    only(await react(app.db, releaseOnCancellation, { ...envelope(orderId), reason: 'changed my mind', stage: 'STOCK_RESERVED' }), 'StockReleased')
    const released = only(await react(app.db, adjustReservation(shipAtOnce), modification(orderId, [{ productId: a, quantity: 1 }])), 'ReservationAdjusted')
    expect(released).toMatchObject({ accepted: false, reason: 'no active reservation', lines: [], total: eur(0) })
    expect(await stockOf(app.db, a)).toEqual({ available: 10, reserved: 0 })
    const unknown = only(await react(app.db, adjustReservation(shipAtOnce), modification(randomUUID(), [{ productId: a, quantity: 1 }])), 'ReservationAdjusted')
    expect(unknown).toMatchObject({ accepted: false, reason: 'no active reservation', lines: [], total: eur(0) })
  })
})
