import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { eventually } from '@choreo/testkit'
import { givenProduct, only, orderPlaced, react, reservationRow, stockOf, typesOf, useStockApp } from '../testing/harness.ts'
import { reserveStock } from './reserve-stock.ts'

const h = useStockApp('reserve')

describe('reserveStock (OrderPlaced)', () => {
  it('reserves every line at the current price: units move available → reserved, StockReserved has lines and total', async () => {
    const a = await givenProduct(h.app.db, 5, { amount: 1000, currency: 'EUR' })
    const b = await givenProduct(h.app.db, 3, { amount: 250, currency: 'EUR' })
    const orderId = randomUUID()
    const events = await react(h.app.db, reserveStock, orderPlaced(orderId, [{ productId: a, quantity: 2 }, { productId: b, quantity: 3 }, { productId: a, quantity: 1 }]))
    const reserved = only(events, 'StockReserved')
    expect(reserved.customerId).toBe('customer-1')
    expect(reserved.lines).toHaveLength(2)
    expect(reserved.lines).toEqual(expect.arrayContaining([
      { productId: a, quantity: 3, unitPrice: { amount: 1000, currency: 'EUR' } },
      { productId: b, quantity: 3, unitPrice: { amount: 250, currency: 'EUR' } },
    ]))
    expect(reserved.total).toEqual({ amount: 3750, currency: 'EUR' })
    expect(await stockOf(h.app.db, a)).toEqual({ available: 2, reserved: 3 })
    expect(await stockOf(h.app.db, b)).toEqual({ available: 0, reserved: 3 })
    expect(await reservationRow(h.app.db, orderId)).toMatchObject({ status: 'RESERVED', total_amount: '3750', paid_amount: '0' })
  })

  it('reserves nothing when one line is short, and names that line', async () => {
    const a = await givenProduct(h.app.db, 5)
    const b = await givenProduct(h.app.db, 1)
    const orderId = randomUUID()
    const events = await react(h.app.db, reserveStock, orderPlaced(orderId, [{ productId: a, quantity: 2 }, { productId: b, quantity: 2 }]))
    expect(only(events, 'StockReservationFailed')).toEqual({ orderId, reason: 'insufficient stock', shortLines: [{ productId: b, requested: 2, available: 1 }] })
    expect(await stockOf(h.app.db, a)).toEqual({ available: 5, reserved: 0 })
    expect(await stockOf(h.app.db, b)).toEqual({ available: 1, reserved: 0 })
    expect(await reservationRow(h.app.db, orderId)).toBeUndefined()
  })

  it('fails on an unknown product, reported with 0 available', async () => {
    const a = await givenProduct(h.app.db, 5)
    const orderId = randomUUID()
    const events = await react(h.app.db, reserveStock, orderPlaced(orderId, [{ productId: a, quantity: 1 }, { productId: 'no-such-product', quantity: 4 }]))
    expect(only(events, 'StockReservationFailed')).toEqual({ orderId, reason: 'unknown product', shortLines: [{ productId: 'no-such-product', requested: 4, available: 0 }] })
    expect(await stockOf(h.app.db, a)).toEqual({ available: 5, reserved: 0 })
  })

  it('fails when a product is priced in another currency than the order', async () => {
    const a = await givenProduct(h.app.db, 5, { amount: 900, currency: 'USD' })
    const orderId = randomUUID()
    const events = await react(h.app.db, reserveStock, orderPlaced(orderId, [{ productId: a, quantity: 1 }], 'EUR'))
    expect(only(events, 'StockReservationFailed')).toEqual({ orderId, reason: 'currency mismatch', shortLines: [{ productId: a, requested: 1, available: 5 }] })
    expect(await stockOf(h.app.db, a)).toEqual({ available: 5, reserved: 0 })
  })

  it('lets exactly one of two concurrent orders have the last unit', async () => {
    const last = await givenProduct(h.app.db, 1)
    // A third transaction holds the product row until both reservations are waiting on it, so they truly overlap.
    const blocker = await h.app.db.transaction()
    await blocker('products').where({ product_id: last }).forUpdate()
    const racing = Promise.all([randomUUID(), randomUUID()].map((orderId) => react(h.app.db, reserveStock, orderPlaced(orderId, [{ productId: last, quantity: 1 }]))))
    try {
      await eventually(async () => {
        const [row] = await h.app.db('pg_stat_activity').where({ datname: h.app.db.raw('current_database()'), wait_event_type: 'Lock' }).count<{ count: string }[]>('* as count')
        expect(Number(row?.count)).toBe(2)
      })
    } finally {
      await blocker.commit()
    }
    const results = await racing
    expect(results.flatMap(typesOf).sort()).toEqual(['StockReservationFailed', 'StockReserved'])
    expect(await stockOf(h.app.db, last)).toEqual({ available: 0, reserved: 1 })
  })

  it('never oversells under many concurrent orders', async () => {
    const scarce = await givenProduct(h.app.db, 2)
    const results = await Promise.all(Array.from({ length: 6 }, () => react(h.app.db, reserveStock, orderPlaced(randomUUID(), [{ productId: scarce, quantity: 1 }]))))
    expect(results.flatMap(typesOf).filter((t) => t === 'StockReserved')).toHaveLength(2)
    expect(await stockOf(h.app.db, scarce)).toEqual({ available: 0, reserved: 2 })
  })

  it('does not reserve twice for an order that has a reservation already', async () => {
    const a = await givenProduct(h.app.db, 5)
    const orderId = randomUUID()
    await react(h.app.db, reserveStock, orderPlaced(orderId, [{ productId: a, quantity: 2 }]))
    expect(await react(h.app.db, reserveStock, orderPlaced(orderId, [{ productId: a, quantity: 2 }]))).toEqual([])
    expect(await stockOf(h.app.db, a)).toEqual({ available: 3, reserved: 2 })
  })
})
