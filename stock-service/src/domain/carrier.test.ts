import { describe, expect, it } from 'vitest'
import { carrierFor, carriers, newTrackingNumber } from './carrier.ts'

describe('carrierFor', () => {
  it('always picks the same carrier for the same order', () => {
    expect(carrierFor('order-42')).toBe(carrierFor('order-42'))
  })

  it('spreads orders over every carrier', () => {
    const picked = new Set(Array.from({ length: 100 }, (_, i) => carrierFor(`order-${i}`).name))
    expect(picked).toEqual(new Set(carriers.map((c) => c.name)))
  })
})

describe('newTrackingNumber', () => {
  it("is the carrier's prefix and 12 random capitals or digits", () => {
    const [ups] = carriers.filter((c) => c.name === 'UPS')
    const numbers = Array.from({ length: 50 }, () => newTrackingNumber(ups!))
    for (const n of numbers) expect(n).toMatch(/^1Z[0-9A-Z]{12}$/)
    expect(new Set(numbers).size).toBe(numbers.length)
  })
})
