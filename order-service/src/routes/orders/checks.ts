// Input rules of the order routes that a JSON schema cannot say.
import { BadRequest } from '@choreo/platform'

// Checked before any transaction, so nothing is written.

/** Each product at most once per order: a line carries its whole quantity. */
export function assertUniqueProducts(items: readonly { productId: string }[]): void {
  const seen = new Set<string>()
  for (const [i, item] of items.entries()) {
    if (seen.has(item.productId)) {
      throw new BadRequest(`product ${item.productId} appears more than once`, { field: `items.${i}.productId`, rule: 'unique-products' })
    }
    seen.add(item.productId)
  }
}
