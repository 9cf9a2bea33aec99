import { idempotencyKeyReused } from '@choreo/platform'
import type { IdempotencyKey } from '../../repositories/idempotency-keys.ts'

/** A key answers again only the request it was first used for: same caller, same body. `key` is the caller's, as sent. */
export function assertSameRequest(recorded: IdempotencyKey, requestHash: string, key: string): void {
  if (recorded.requestHash !== requestHash) {
    throw idempotencyKeyReused(key, 'a different request')
  }
}
