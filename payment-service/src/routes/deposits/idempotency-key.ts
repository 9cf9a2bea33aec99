import type { IncomingHttpHeaders } from 'node:http'
import { BadRequest } from '@choreo/platform'

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key'
export const MAX_IDEMPOTENCY_KEY_LENGTH = 128

/**
 * The request's Idempotency-Key, required. Checked here rather than by a headers schema so the
 * error names the header as clients spell it, not as Node lowercases it.
 */
export function idempotencyKeyOf(headers: IncomingHttpHeaders): string {
  const key = headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()]
  if (typeof key !== 'string' || key === '') {
    throw new BadRequest(`header ${IDEMPOTENCY_KEY_HEADER} is required`, { field: IDEMPOTENCY_KEY_HEADER, rule: 'required' })
  }
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new BadRequest(`header ${IDEMPOTENCY_KEY_HEADER} must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`, { field: IDEMPOTENCY_KEY_HEADER, rule: 'maxLength' })
  }
  return key
}
