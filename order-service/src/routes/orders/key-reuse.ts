import { idempotencyKeyReused } from '@choreo/platform'
import type { IdempotencyKey } from '../../repositories/idempotency-keys.ts'

/** A key answers again only the request it was first used for: same caller, same body. */
export function assertSameRequest(recorded: IdempotencyKey, requestHash: string): void {
  if (recorded.requestHash !== requestHash) {
    throw idempotencyKeyReused(recorded.key, 'a different request')
  }
}
