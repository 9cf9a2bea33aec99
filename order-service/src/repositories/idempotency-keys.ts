// order-service's idempotency keys (POST /orders, cancel): a key, bound to its request's hash, names the order it acted on.
import { createHash } from 'node:crypto'
import type { Knex } from 'knex'
import { claimIdempotencyKey } from '@choreo/platform'

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

/** What a key was used for when it answers another request than its own (the 422's words). */
export const SAME_KEY_OTHER_REQUEST = 'a different request'

function fromRow(row: Pick<KeyRow, 'key' | 'request_hash' | 'order_id'>): IdempotencyKey {
  return { key: row.key, requestHash: row.request_hash, orderId: row.order_id }
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
  return row ? fromRow(row) : undefined
}

export async function findKey(db: Knex | Knex.Transaction, key: string): Promise<IdempotencyKey | undefined> {
  const row = await db<KeyRow>('idempotency_keys').where({ key }).first()
  return row ? fromRow(row) : undefined
}

/**
 * Claims the key (claimIdempotencyKey). A concurrent claim of the same key blocks on the primary
 * key until the first commits, then fails with IdempotencyKeyTaken, which rolls its transaction back.
 */
export async function insertKey(trx: Knex.Transaction, entry: IdempotencyKey, at: Date): Promise<void> {
  const row: KeyRow = { key: entry.key, request_hash: entry.requestHash, order_id: entry.orderId, created_at: at }
  await claimIdempotencyKey(trx, 'idempotency_keys', row, entry.key)
}
