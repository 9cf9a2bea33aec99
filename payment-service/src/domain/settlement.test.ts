import { describe, expect, it } from 'vitest'
import { adjustmentTo, netCharged } from './settlement.ts'

describe('settling an order', () => {
  it('counts what was paid as charges less refunds', () => {
    expect(netCharged({ charged: 1500, refunded: 400 })).toBe(1100)
  })

  it('charges the difference when the new total exceeds what was paid, refunds included', () => {
    expect(adjustmentTo(1500, { charged: 1200, refunded: 200 })).toEqual({ kind: 'charge', amount: 500 })
  })

  it('refunds the difference when the new total is below what was paid', () => {
    expect(adjustmentTo(700, { charged: 1200, refunded: 200 })).toEqual({ kind: 'refund', amount: 300 })
  })

  it('does nothing when the new total is what was paid', () => {
    expect(adjustmentTo(1000, { charged: 1200, refunded: 200 })).toEqual({ kind: 'none' })
  })

  it('refunds everything when the new total is zero', () => {
    expect(adjustmentTo(0, { charged: 1200, refunded: 0 })).toEqual({ kind: 'refund', amount: 1200 })
  })
})
