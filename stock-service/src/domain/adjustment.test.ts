import { describe, expect, it } from 'vitest'
import type { PricedLine } from '@choreo/contracts'
import { planAdjustment, type StockLevel } from './adjustment.ts'

const eur = (amount: number) => ({ amount, currency: 'EUR' })
const stock = (entries: Record<string, StockLevel>) => new Map(Object.entries(entries))

describe('planAdjustment, placing an order (nothing reserved yet)', () => {
  it('prices every line at the current price and reserves each quantity', () => {
    const plan = planAdjustment([], [{ productId: 'b', quantity: 2 }, { productId: 'a', quantity: 1 }], stock({ a: { price: eur(100), available: 5 }, b: { price: eur(250), available: 2 } }), 'EUR')
    expect(plan).toEqual({
      ok: true,
      lines: [{ productId: 'a', quantity: 1, unitPrice: eur(100) }, { productId: 'b', quantity: 2, unitPrice: eur(250) }],
      moves: [{ productId: 'a', delta: 1 }, { productId: 'b', delta: 2 }],
    })
  })

  it('sums repeated products before checking what is available', () => {
    const plan = planAdjustment([], [{ productId: 'a', quantity: 2 }, { productId: 'a', quantity: 2 }], stock({ a: { price: eur(100), available: 3 } }), 'EUR')
    expect(plan).toEqual({ ok: false, reason: 'insufficient stock', shortLines: [{ productId: 'a', requested: 4, available: 3 }] })
  })

  it('lists only the short lines, and an unknown product as 0 available', () => {
    const plan = planAdjustment([], [{ productId: 'a', quantity: 1 }, { productId: 'zz', quantity: 2 }, { productId: 'b', quantity: 9 }], stock({ a: { price: eur(100), available: 3 }, b: { price: eur(1), available: 4 } }), 'EUR')
    expect(plan).toEqual({ ok: false, reason: 'unknown product', shortLines: [{ productId: 'b', requested: 9, available: 4 }, { productId: 'zz', requested: 2, available: 0 }] })
  })

  it('refuses a product priced in another currency than the order', () => {
    const plan = planAdjustment([], [{ productId: 'a', quantity: 1 }], stock({ a: { price: { amount: 100, currency: 'USD' }, available: 3 } }), 'EUR')
    expect(plan).toEqual({ ok: false, reason: 'currency mismatch', shortLines: [{ productId: 'a', requested: 1, available: 3 }] })
  })

  it('refuses an order without lines', () => {
    expect(planAdjustment([], [], stock({}), 'EUR')).toEqual({ ok: false, reason: 'no lines', shortLines: [] })
  })
})

describe('planAdjustment, modifying a reservation', () => {
  const current: PricedLine[] = [{ productId: 'a', quantity: 2, unitPrice: eur(100) }, { productId: 'b', quantity: 1, unitPrice: eur(500) }]

  it('moves only the differences, and releases removed lines', () => {
    const plan = planAdjustment(current, [{ productId: 'a', quantity: 5 }, { productId: 'c', quantity: 1 }], stock({ a: { price: eur(100), available: 3 }, b: { price: eur(500), available: 0 }, c: { price: eur(70), available: 1 } }), 'EUR')
    expect(plan).toEqual({
      ok: true,
      lines: [{ productId: 'a', quantity: 5, unitPrice: eur(100) }, { productId: 'c', quantity: 1, unitPrice: eur(70) }],
      moves: [{ productId: 'a', delta: 3 }, { productId: 'b', delta: -1 }, { productId: 'c', delta: 1 }],
    })
  })

  it('keeps the unit price fixed when a product was first reserved', () => {
    const plan = planAdjustment(current, [{ productId: 'a', quantity: 1 }, { productId: 'b', quantity: 1 }], stock({ a: { price: eur(999), available: 0 }, b: { price: eur(999), available: 0 } }), 'EUR')
    expect(plan.ok && plan.lines).toEqual([{ productId: 'a', quantity: 1, unitPrice: eur(100) }, { productId: 'b', quantity: 1, unitPrice: eur(500) }])
  })

  it('counts the units the order holds already as available to it', () => {
    const enough = planAdjustment(current, [{ productId: 'a', quantity: 4 }], stock({ a: { price: eur(100), available: 2 }, b: { price: eur(500), available: 0 } }), 'EUR')
    expect(enough.ok).toBe(true)
    const short = planAdjustment(current, [{ productId: 'a', quantity: 5 }], stock({ a: { price: eur(100), available: 2 }, b: { price: eur(500), available: 0 } }), 'EUR')
    expect(short).toEqual({ ok: false, reason: 'insufficient stock', shortLines: [{ productId: 'a', requested: 5, available: 4 }] })
  })
})
