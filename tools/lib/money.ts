/** An amount in minor units as people read it: 5850 EUR → "58.50 EUR" (the currency's own number of decimals). */
export function formatMoney(money: { amount: number; currency: string }): string {
  let digits = 2
  try {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency: money.currency }).resolvedOptions().maximumFractionDigits ?? digits
  } catch {
    // not an ISO 4217 code Intl knows: keep two decimals
  }
  return `${(money.amount / 10 ** digits).toFixed(digits)} ${money.currency}`
}
