import { IDEMPOTENCY_KEY_HEADER, Unprocessable } from '@choreo/platform'
import type { IdempotencyKey } from '../../repositories/idempotency-keys.ts'

/** A key answers again only the request it was first used for: same caller, same body. */
export function assertSameRequest(recorded: IdempotencyKey, requestHash: string): void {
  if (recorded.requestHash !== requestHash) {
    throw new Unprocessable(`this ${IDEMPOTENCY_KEY_HEADER} was used for a different request`, { field: IDEMPOTENCY_KEY_HEADER, rule: 'idempotency-key-reuse' })
  }
}
