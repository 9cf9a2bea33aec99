import type { Money } from '@choreo/contracts'

/** Money from a bigint column: the pg driver returns those as strings. Amounts fit in a JS number. */
export function moneyOf(amount: string | number, currency: string): Money {
  return { amount: Number(amount), currency }
}
