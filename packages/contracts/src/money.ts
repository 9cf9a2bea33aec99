// The events' Money (integer minor units and a currency code): read from a row, checked against an order's currency, shown to people.
import type { Money } from './events.generated.ts'

/** Money in another currency than the order's reached a service: a bug upstream, never to be stored. */
export class CurrencyMismatch extends Error {
  constructor(what: string, expected: string, got: Money) {
    super(`${what} is in ${got.currency}, the order in ${expected}`)
    this.name = 'CurrencyMismatch'
  }
}

export function assertCurrency(what: string, expected: string, money: Money): void {
  if (money.currency !== expected) throw new CurrencyMismatch(what, expected, money)
}

/** The amount in minor units, checked to be in the order's currency (for a row that stores amounts only). */
export function amountIn(currency: string, money: Money): number {
  assertCurrency('amount', currency, money)
  return money.amount
}

/** Money from a bigint column: the pg driver returns those as strings. Amounts fit in a JS number. */
export function moneyOf(amount: string | number, currency: string): Money {
  return { amount: Number(amount), currency }
}

/** An amount as people read it: 5850 EUR → "58.50 EUR" (the currency's own number of decimals). */
export function formatMoney(money: Money): string {
  let digits = 2
  try {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency: money.currency }).resolvedOptions().maximumFractionDigits ?? digits
  } catch {
    // not an ISO 4217 code Intl knows: keep two decimals
  }
  return `${(money.amount / 10 ** digits).toFixed(digits)} ${money.currency}`
}
