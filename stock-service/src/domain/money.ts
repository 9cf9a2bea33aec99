import type { Money } from '@choreo/contracts'

/** Money in another currency than the order's reached this service: a bug upstream. */
export class CurrencyMismatch extends Error {
  constructor(what: string, expected: string, got: Money) {
    super(`${what} is in ${got.currency}, the order in ${expected}`)
    this.name = 'CurrencyMismatch'
  }
}

export function assertCurrency(what: string, expected: string, money: Money): void {
  if (money.currency !== expected) throw new CurrencyMismatch(what, expected, money)
}
