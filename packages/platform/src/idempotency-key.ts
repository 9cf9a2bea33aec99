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

/**
 * The header as route schemas declare it: optional to the schema validator, so that
 * idempotencyKeyOf is what refuses a request without it (naming the header as clients spell it);
 * the OpenAPI document still says it is required (requireIdempotencyKeyInDocs).
 */
export const IdempotencyKeyHeaders = Type.Object({
  [IDEMPOTENCY_KEY_HEADER.toLowerCase()]: Type.Optional(Type.String({
    description: `Required, 1..${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters: a retry with the same key and body has its effect once and gets the same answer; the same key with another body is refused (422).`,
  })),
})

/** 422 for a key already used for another request: a key answers again only the request it was first used for. */
export function idempotencyKeyReused(key: string, usedFor: string): Unprocessable {
  return new Unprocessable(`${IDEMPOTENCY_KEY_HEADER} ${key} was used for ${usedFor}`, { field: IDEMPOTENCY_KEY_HEADER, rule: 'idempotency-key-reuse' })
}

interface OpenApiParameter { in?: string; name?: string; required?: boolean }

/**
 * Marks the Idempotency-Key header required in an OpenAPI document, as idempotencyKeyOf enforces
 * it: the route schemas leave it optional only to word the 400 themselves.
 */
export function requireIdempotencyKeyInDocs<D extends { paths?: Record<string, Record<string, unknown> | undefined> }>(document: D): D {
  for (const operations of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(operations ?? {})) {
      const parameters = (operation as { parameters?: OpenApiParameter[] } | undefined)?.parameters ?? []
      for (const p of parameters) if (p.in === 'header' && p.name === IDEMPOTENCY_KEY_HEADER.toLowerCase()) p.required = true
    }
  }
  return document
}
