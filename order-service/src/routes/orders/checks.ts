import { BadRequest } from '@choreo/platform'

// Input rules a JSON schema cannot say, checked before any transaction so nothing is written.

export const IDEMPOTENCY_KEY_MAX_LENGTH = 128

/** The Idempotency-Key header, required on POST /orders. */
export function idempotencyKey(header: string | string[] | undefined): string {
  if (typeof header !== 'string' || header === '') {
    throw new BadRequest('the Idempotency-Key header is required', { field: 'Idempotency-Key', rule: 'required' })
  }
  if (header.length > IDEMPOTENCY_KEY_MAX_LENGTH) {
    throw new BadRequest(`Idempotency-Key must not be longer than ${IDEMPOTENCY_KEY_MAX_LENGTH} characters`, { field: 'Idempotency-Key', rule: 'maxLength' })
  }
  return header
}

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
