// The Idempotency-Key header, and one request per key: claimed in the request's transaction, a retry answered again.
import type { IncomingHttpHeaders } from 'node:http'
import type { Knex } from 'knex'
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

/** The key was claimed by another request: one that committed first, or committed while this one waited. */
export class IdempotencyKeyTaken extends Error {
  constructor(key: string) {
    super(`idempotency key ${key} is taken`)
    this.name = 'IdempotencyKeyTaken'
  }
}

/**
 * Claims an Idempotency-Key by inserting the row that records it (`row` into `table`, whose unique
 * index covers the key). A concurrent claim of the same key blocks on that index until the first
 * commits, then fails with IdempotencyKeyTaken, which rolls its transaction back (onceByKey).
 */
export async function claimIdempotencyKey(trx: Knex.Transaction, table: string, row: object, key: string): Promise<void> {
  try {
    await trx(table).insert(row)
  } catch (err) {
    if (isUniqueViolation(err)) throw new IdempotencyKeyTaken(key)
    throw err
  }
}

// PostgreSQL's unique_violation, SQL Server's duplicate key in a unique constraint or index.
const PG_UNIQUE_VIOLATION = '23505'
const MSSQL_DUPLICATE_KEY = new Set([2627, 2601])

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown; number?: unknown }
  return e.code === PG_UNIQUE_VIOLATION || (typeof e.number === 'number' && MSSQL_DUPLICATE_KEY.has(e.number))
}

/** A request made once per Idempotency-Key, whatever table records its keys. */
export interface KeyedRequest<Use, Result> {
  /** The key as the caller sent it (named in a 422). */
  key: string
  /** A use of the key to look for before running, where one may be stored outside `run`'s claim (order-service's keys from before scoping). */
  lookFirst?: () => Promise<Use | undefined>
  /** The request's transaction: it claims the key (claimIdempotencyKey) and has the effect, all or nothing. */
  run: () => Promise<Result>
  /** What the key was used for, read once its claim failed. */
  earlier: () => Promise<Use | undefined>
  /** Whether that use was this same request. */
  sameRequest: (use: Use) => boolean
  /** The earlier use in words, for the 422 refusing another request with the key. */
  usedFor: (use: Use) => string
  /** The answer a retry of the same request gets: the effect is not repeated. */
  replay: (use: Use) => Result | Promise<Result>
}

/**
 * Runs a request once per Idempotency-Key: a retry of the same request (found first, or by its
 * failed claim) is answered by `replay`; another request with a used key is refused with 422.
 */
export async function onceByKey<Use, Result>(request: KeyedRequest<Use, Result>): Promise<Result> {
  const found = await request.lookFirst?.()
  if (found !== undefined) return answerAgain(request, found)
  try {
    return await request.run()
  } catch (err) {
    if (!(err instanceof IdempotencyKeyTaken)) throw err
    const winner = await request.earlier()
    if (winner === undefined) throw err
    return answerAgain(request, winner)
  }
}

function answerAgain<Use, Result>(request: KeyedRequest<Use, Result>, use: Use): Result | Promise<Result> {
  if (!request.sameRequest(use)) throw idempotencyKeyReused(request.key, request.usedFor(use))
  return request.replay(use)
}
