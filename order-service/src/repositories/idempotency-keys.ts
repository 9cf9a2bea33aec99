import { createHash } from 'node:crypto'
import type { Knex } from 'knex'

export interface IdempotencyKey {
  key: string
  requestHash: string
  orderId: string
}

interface KeyRow {
  key: string
  request_hash: string
  order_id: string
  created_at: Date
}

/** Another request holds this key: it committed first, or committed while this one waited. */
export class IdempotencyKeyTaken extends Error {
  constructor(key: string) {
    super(`idempotency key ${key} is taken`)
    this.name = 'IdempotencyKeyTaken'
  }
}

/**
 * The key as stored: the caller's key within its customer's scope (the customer an order is for,
 * whoever asks: the customer or an admin acting for them), so one customer's key never answers,
 * blocks or reveals another's. A digest: 64 hex characters whatever the lengths of the two, with
 * a prefix that no key written before keys were scoped has (those are looked up by findUnscopedKey).
 */
export function scopedKey(customerId: string, key: string): string {
  return `c1:${createHash('sha256').update(customerId).update('\n').update(key).digest('hex')}`
}

/**
 * A key written before keys were scoped (raw, global), if it was this customer's: a retry that
 * spans the upgrade still replays. Read for one release, like the outbox's rows without bytes.
 */
export async function findUnscopedKey(db: Knex | Knex.Transaction, key: string, customerId: string): Promise<IdempotencyKey | undefined> {
  const row = await db<KeyRow>('idempotency_keys as k').join('orders as o', 'o.order_id', 'k.order_id')
    .where({ 'k.key': key, 'o.customer_id': customerId }).first('k.key', 'k.request_hash', 'k.order_id')
  return row ? { key: row.key, requestHash: row.request_hash, orderId: row.order_id } : undefined
}

export async function findKey(db: Knex | Knex.Transaction, key: string): Promise<IdempotencyKey | undefined> {
  const row = await db<KeyRow>('idempotency_keys').where({ key }).first()
  return row ? { key: row.key, requestHash: row.request_hash, orderId: row.order_id } : undefined
}

/**
 * Claims the key. A concurrent claim of the same key blocks on the primary key until the first
 * commits, then fails with IdempotencyKeyTaken, which must roll its transaction back.
 */
export async function insertKey(trx: Knex.Transaction, entry: IdempotencyKey, at: Date): Promise<void> {
  try {
    await trx<KeyRow>('idempotency_keys').insert({ key: entry.key, request_hash: entry.requestHash, order_id: entry.orderId, created_at: at })
  } catch (err) {
    if (isUniqueViolation(err)) throw new IdempotencyKeyTaken(entry.key)
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
