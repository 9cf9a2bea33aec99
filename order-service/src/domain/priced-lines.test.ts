import { describe, expect, it } from 'vitest'
import { CurrencyMismatch, amountIn } from '@choreo/contracts'
import { pricedLines } from './priced-lines.ts'

describe('amounts in the order currency', () => {
  it('takes the minor units of an amount in the order currency', () => {
    expect(amountIn('EUR', { amount: 1999, currency: 'EUR' })).toBe(1999)
    expect(pricedLines('EUR', [{ productId: 'p', quantity: 2, unitPrice: { amount: 250, currency: 'EUR' } }]))
      .toEqual([{ productId: 'p', quantity: 2, unitPriceAmount: 250 }])
  })

  it('refuses an amount in another currency rather than store it as if it were the order one', () => {
    expect(() => amountIn('EUR', { amount: 1999, currency: 'USD' })).toThrow(CurrencyMismatch)
    expect(() => pricedLines('EUR', [{ productId: 'p', quantity: 1, unitPrice: { amount: 1, currency: 'GBP' } }])).toThrow(CurrencyMismatch)
  })
})
