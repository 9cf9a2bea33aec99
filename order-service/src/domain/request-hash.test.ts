import { describe, expect, it } from 'vitest'
import { canonicalJson, requestHash } from './request-hash.ts'

describe('requestHash', () => {
  it('ignores the order of keys at every level', () => {
    const a = { customerId: 'c', items: [{ productId: 'p', quantity: 1 }], shippingAddress: { name: 'n', city: 'x' } }
    const b = { shippingAddress: { city: 'x', name: 'n' }, items: [{ quantity: 1, productId: 'p' }], customerId: 'c' }
    expect(canonicalJson(b)).toBe(canonicalJson(a))
    expect(requestHash(b)).toBe(requestHash(a))
  })

  it('distinguishes different values and different line order', () => {
    const lines = [{ productId: 'p', quantity: 1 }, { productId: 'q', quantity: 2 }]
    expect(requestHash({ items: lines })).not.toBe(requestHash({ items: [lines[1], lines[0]] }))
    expect(requestHash({ quantity: 1 })).not.toBe(requestHash({ quantity: 2 }))
    expect(requestHash({ quantity: 1 })).not.toBe(requestHash({ quantity: '1' }))
  })

  it('is a 64-character hex sha256', () => {
    expect(requestHash({})).toMatch(/^[0-9a-f]{64}$/)
  })
})
