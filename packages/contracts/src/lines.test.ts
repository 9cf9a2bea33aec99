import { describe, expect, it } from 'vitest'
import { mergeItems, totalOf } from './lines.ts'

describe('mergeItems', () => {
  it('sums the quantities of a repeated product and orders lines by product id', () => {
    expect(mergeItems([{ productId: 'b', quantity: 1 }, { productId: 'a', quantity: 2 }, { productId: 'b', quantity: 3 }]))
      .toEqual([{ productId: 'a', quantity: 2 }, { productId: 'b', quantity: 4 }])
  })
})

describe('totalOf', () => {
  it('adds quantity × unit price in integer minor units', () => {
    expect(totalOf([
      { productId: 'a', quantity: 3, unitPrice: { amount: 199, currency: 'EUR' } },
      { productId: 'b', quantity: 1, unitPrice: { amount: 1, currency: 'EUR' } },
    ], 'EUR')).toEqual({ amount: 598, currency: 'EUR' })
  })

  it('is zero for no lines', () => {
    expect(totalOf([], 'USD')).toEqual({ amount: 0, currency: 'USD' })
  })
})
