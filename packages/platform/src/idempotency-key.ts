import type { IncomingHttpHeaders } from 'node:http'
import { Type } from 'typebox'
import { BadRequest, Unprocessable } from './errors.ts'

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key'
export const MAX_IDEMPOTENCY_KEY_LENGTH = 128

/** Visible ASCII only: the key is stored and compared byte for byte. */
const KEY_PATTERN = /^[\x21-\x7e]+$/

/**
 * The request's Idempotency-Key, required on every POST whose retry could repeat an effect.
 * Checked here rather than by a headers schema so the error names the header as clients spell
 * it, not as Node lowercases it.
 */
export function idempotencyKeyOf(headers: IncomingHttpHeaders): string {
  const key = headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()]
  if (typeof key !== 'string' || key === '') {
    throw new BadRequest(`header ${IDEMPOTENCY_KEY_HEADER} is required`, { field: IDEMPOTENCY_KEY_HEADER, rule: 'required' })
  }
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new BadRequest(`header ${IDEMPOTENCY_KEY_HEADER} must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`, { field: IDEMPOTENCY_KEY_HEADER, rule: 'maxLength' })
  }
  if (!KEY_PATTERN.test(key)) {
    throw new BadRequest(`header ${IDEMPOTENCY_KEY_HEADER} must be visible ASCII characters`, { field: IDEMPOTENCY_KEY_HEADER, rule: 'pattern' })
  }
  return key
}

/** The header as route schemas document it in OpenAPI; idempotencyKeyOf is what enforces it. */
export const IdempotencyKeyHeaders = Type.Object({
  [IDEMPOTENCY_KEY_HEADER.toLowerCase()]: Type.Optional(Type.String({
    description: `Required, 1..${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters: a retry with the same key and body has its effect once and gets the same answer; the same key with another body is refused (422).`,
  })),
})

/** 422 for a key already used for another request: a key answers again only the request it was first used for. */
export function idempotencyKeyReused(key: string, usedFor: string): Unprocessable {
  return new Unprocessable(`${IDEMPOTENCY_KEY_HEADER} ${key} was used for ${usedFor}`, { field: IDEMPOTENCY_KEY_HEADER, rule: 'idempotency-key-reuse' })
}
