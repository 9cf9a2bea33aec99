import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { bearerAs, createTestDatabase, eventually, startServiceApp, type AppHarness } from '@choreo/testkit'
import type { Fulfilment } from './domain/fulfilment.ts'
import { FULFILMENT_POLL_MS } from './plugins/fulfilment-poller.ts'
import { nextScheduledShipment } from './repositories/reservations.ts'
import { adjustReservation } from './steps/adjust-reservation.ts'
import { recordPayment } from './steps/record-payment.ts'
import { releaseOnCancellation } from './steps/release-stock.ts'
import { reserveStock } from './steps/reserve-stock.ts'
import { envelope, givenProduct, only, orderPlaced, paymentCompleted, react, reservationRow, stockOf, stockUnderTest, useStockApp, type StockApp } from './testing/harness.ts'

// FULFILMENT_DELAY_MS: a paid order waits before it ships, so a person can cancel or modify it.
// The wait must keep every guarantee: the shipment is decided in a transaction with its
// OrderShipped, the schedule survives a restart, and a cancellation during the wait wins.

const DELAY_MS = 2000
const fulfilment: Fulfilment = { delayMs: DELAY_MS }
/** Past the due time, a look of the poller and its transaction. */
const SHIPS_WITHIN_MS = DELAY_MS + 10 * FULFILMENT_POLL_MS
const eur = (amount: number) => ({ amount, currency: 'EUR' })
const admin = bearerAs('ops', 'admin')

const h = useStockApp('fulfilment', { FULFILMENT_DELAY_MS: String(DELAY_MS) })

/** 2 × a product at 1000, reserved: total 2000. */
async function reserved(db = h.app.db) {
  const productId = await givenProduct(db, 5, eur(1000))
  const orderId = randomUUID()
  only(await react(db, reserveStock, orderPlaced(orderId, [{ productId, quantity: 2 }])), 'StockReserved')
  return { orderId, productId }
}

const shippedEvents = (db: StockApp['db'], orderId: string) => db('outbox').where({ event_type: 'OrderShipped', aggregate_id: orderId })

describe('a fulfilment delay', () => {
  it('ships a paid order only once the delay has passed, in a transaction of its own with OrderShipped caused by the payment', async () => {
    const { orderId, productId } = await reserved()
    const payment = paymentCompleted(orderId, eur(2000))
    const paidAt = Date.now()
    expect(await react(h.app.db, recordPayment(fulfilment), payment)).toEqual([])
    const scheduled = await h.app.db('reservations').where({ order_id: orderId }).first()
    expect(scheduled).toMatchObject({ status: 'RESERVED', paid_amount: '2000', ship_correlation_id: payment.correlationId, ship_causation_id: payment.eventId })
    expect((scheduled.ship_after as Date).getTime() - paidAt).toBeGreaterThanOrEqual(DELAY_MS - 50)

    await sleep(DELAY_MS / 2)
    expect(await reservationRow(h.app.db, orderId)).toMatchObject({ status: 'RESERVED' })
    expect(await shippedEvents(h.app.db, orderId)).toEqual([])

    await eventually(async () => expect(await reservationRow(h.app.db, orderId)).toMatchObject({ status: 'SHIPPED' }), { timeoutMs: SHIPS_WITHIN_MS })
    expect(Date.now() - paidAt).toBeGreaterThanOrEqual(DELAY_MS)
    const [shipment, ...more] = await h.app.db('shipments').where({ order_id: orderId })
    expect(more).toEqual([])
    const [event, ...again] = await shippedEvents(h.app.db, orderId)
    expect(again).toEqual([])
    expect(event.payload).toMatchObject({ orderId, shipmentId: shipment.shipment_id, correlationId: payment.correlationId, causationId: payment.eventId })
    expect(await stockOf(h.app.db, productId)).toEqual({ available: 3, reserved: 0 })
    expect(await h.app.db('reservations').where({ order_id: orderId }).first()).toMatchObject({ ship_after: null })
  })

  it('lets a cancellation that arrives during the delay win: the units are released and the order never ships', async () => {
    const { orderId, productId } = await reserved()
    expect(await react(h.app.db, recordPayment(fulfilment), paymentCompleted(orderId, eur(2000)))).toEqual([])
    only(await react(h.app.db, releaseOnCancellation, { ...envelope(orderId), reason: 'changed my mind', stage: 'PAID' }), 'StockReleased')
    await sleep(SHIPS_WITHIN_MS)
    expect(await reservationRow(h.app.db, orderId)).toMatchObject({ status: 'RELEASED' })
    expect(await h.app.db('shipments').where({ order_id: orderId })).toEqual([])
    expect(await shippedEvents(h.app.db, orderId)).toEqual([])
    expect(await stockOf(h.app.db, productId)).toEqual({ available: 5, reserved: 0 })
  })

  it('takes an order whose modification raised its total off the schedule until the extra is paid, then waits the delay again', async () => {
    const { orderId, productId } = await reserved()
    await react(h.app.db, recordPayment(fulfilment), paymentCompleted(orderId, eur(2000)))
    const raised = { ...envelope(orderId), modificationId: randomUUID(), items: [{ productId, quantity: 3 }] }
    expect(only(await react(h.app.db, adjustReservation(fulfilment), raised), 'ReservationAdjusted')).toMatchObject({ accepted: true, total: eur(3000) })
    expect(await h.app.db('reservations').where({ order_id: orderId }).first()).toMatchObject({ status: 'RESERVED', ship_after: null })
    await sleep(SHIPS_WITHIN_MS)
    expect(await reservationRow(h.app.db, orderId)).toMatchObject({ status: 'RESERVED' })

    expect(await react(h.app.db, recordPayment(fulfilment), paymentCompleted(orderId, eur(1000)))).toEqual([])
    expect((await h.app.db('reservations').where({ order_id: orderId }).first()).ship_after).not.toBeNull()
    await eventually(async () => expect(await reservationRow(h.app.db, orderId)).toMatchObject({ status: 'SHIPPED', paid_amount: '3000' }), { timeoutMs: SHIPS_WITHIN_MS })
    expect(await stockOf(h.app.db, productId)).toEqual({ available: 2, reserved: 0 })
  })

  it('survives a restart: a shipment that fell due while the service was down goes out once it is back', async () => {
    const database = await createTestDatabase('stock-fulfilment-restart')
    // The same service twice: the second on the first one's database and topics.
    const start = (prefix?: string) => startServiceApp(stockUnderTest, 'fulfilment-restart', { FULFILMENT_DELAY_MS: String(DELAY_MS) }, { on: { database, ...(prefix ? { prefix } : {}) } })
    let first: AppHarness<StockApp> | undefined = await start()
    const { prefix } = first
    let second: AppHarness<StockApp> | undefined
    try {
      const { orderId } = await reserved(first.app.db)
      await react(first.app.db, recordPayment(fulfilment), paymentCompleted(orderId, eur(2000)))
      await first.close()
      first = undefined
      await sleep(SHIPS_WITHIN_MS)
      expect(await reservationRow(database.db, orderId)).toMatchObject({ status: 'RESERVED' })

      second = await start(prefix)
      await eventually(async () => expect(await reservationRow(database.db, orderId)).toMatchObject({ status: 'SHIPPED' }), { timeoutMs: 10 * FULFILMENT_POLL_MS })
      expect(await shippedEvents(database.db, orderId)).toHaveLength(1)
    } finally {
      await first?.close()
      await second?.close()
      await database.drop()
    }
  })
})

describe('the fulfilment poller at rest', () => {
  it('looks for due shipments once per delay while none is scheduled, not every FULFILMENT_POLL_MS', async () => {
    await eventually(async () => expect(await nextScheduledShipment(h.app.db)).toBeNull(), { timeoutMs: SHIPS_WITHIN_MS })
    let looks = 0
    const count = (query: { sql: string }) => { if (query.sql.includes('ship_after')) looks++ }
    h.app.db.on('query', count)
    await sleep(2 * DELAY_MS)
    h.app.db.off('query', count)
    // Each look is two statements (what is due, when the next is); a look every 250 ms would be 16 or more.
    expect(looks).toBeGreaterThan(0)
    expect(looks).toBeLessThanOrEqual(6)
  })
})

describe('POST /shipments (an admin ships now)', () => {
  const ship = (orderId: string, headers: Record<string, string> = admin) =>
    h.app.inject({ method: 'POST', url: '/shipments', headers, payload: { orderId } })

  it('ships a paid order at once, ahead of its delay, with OrderShipped in the same transaction; again is a conflict', async () => {
    const { orderId, productId } = await reserved()
    await react(h.app.db, recordPayment(fulfilment), paymentCompleted(orderId, eur(2000)))
    const res = await ship(orderId)
    expect(res.statusCode, res.body).toBe(201)
    const body = res.json<{ shipmentId: string }>()
    expect(body).toMatchObject({ orderId, status: 'SHIPPED', deliveredAt: null })
    expect(await reservationRow(h.app.db, orderId)).toMatchObject({ status: 'SHIPPED' })
    const [event, ...more] = await shippedEvents(h.app.db, orderId)
    expect(more).toEqual([])
    expect(event.payload).toMatchObject({ orderId, shipmentId: body.shipmentId, causationId: null })
    expect(await stockOf(h.app.db, productId)).toEqual({ available: 3, reserved: 0 })

    expect((await ship(orderId)).json()).toMatchObject({ rule: 'already-shipped' })
    // The poller finds nothing left to ship once the delay passes.
    await sleep(SHIPS_WITHIN_MS)
    expect(await shippedEvents(h.app.db, orderId)).toHaveLength(1)
  })

  it('refuses an order not paid in full, a released one, an unknown one, and a customer', async () => {
    const unpaid = await reserved()
    await react(h.app.db, recordPayment(fulfilment), paymentCompleted(unpaid.orderId, eur(1000)))
    expect(await ship(unpaid.orderId)).toMatchObject({ statusCode: 409 })
    expect((await ship(unpaid.orderId)).json()).toMatchObject({ rule: 'not-paid' })
    expect(await reservationRow(h.app.db, unpaid.orderId)).toMatchObject({ status: 'RESERVED' })

    const released = await reserved()
    only(await react(h.app.db, releaseOnCancellation, { ...envelope(released.orderId), reason: 'changed my mind', stage: 'STOCK_RESERVED' }), 'StockReleased')
    expect((await ship(released.orderId)).json()).toMatchObject({ rule: 'released' })

    expect((await ship(randomUUID())).statusCode).toBe(404)
    const customer = bearerAs('customer-1')
    expect((await ship(unpaid.orderId, customer)).statusCode).toBe(403)
    expect(await h.app.db('shipments').whereIn('order_id', [unpaid.orderId, released.orderId])).toEqual([])
  })
})
